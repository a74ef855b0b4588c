// The gateway under soak, in a process of its own so that its RSS and open descriptors are
// its own. It is the same startGateway() as `holdfast start`, with the configuration the
// soak driver sends as the first IPC message; the driver then asks it, over IPC, for what
// only the process itself can see (gateway.stats(), rtpengine's session list, the pid of
// its private rtpengine). SIGTERM stops it.
import { parseConfig } from '../../gateway/config/load-config';
import { startGateway, type RunningGateway } from '../../gateway/gateway';

export interface ChildStart {
  type: 'start';
  /** The YAML document as an object, and the environment to read it with (DRACHTIO_*). */
  doc: Record<string, unknown>;
  env: Record<string, string>;
}

export interface ChildProbeReply {
  type: 'probe';
  id: number;
  stats: ReturnType<RunningGateway['stats']>;
  rtpengineCalls: number | null;
  rtpenginePid: number | null;
}

let gw: RunningGateway | undefined;

async function probe(id: number, gc: boolean): Promise<ChildProbeReply> {
  const g = gw!;
  // A baseline or final RSS is read after a full collection (the child runs with
  // --expose-gc), so that it is what the gateway holds, not what it has not freed yet.
  const collect = (globalThis as { gc?: () => void }).gc;
  if (gc && collect) collect();
  let rtpengineCalls: number | null = null;
  try {
    const list = await g.ng.request('list', { limit: 10_000 });
    rtpengineCalls = ((list.calls as string[] | undefined) ?? []).length;
  } catch {
    // rtpengine down (being restarted): unknown for now
  }
  return {
    type: 'probe',
    id,
    stats: g.stats(),
    rtpengineCalls,
    rtpenginePid: g.rtpengine.pid ?? null,
  };
}

process.on('message', (msg: ChildStart | { type: 'probe'; id: number; gc?: boolean }) => {
  if (msg.type === 'start') {
    startGateway(parseConfig(msg.doc, { env: msg.env })).then(
      (started) => {
        gw = started;
        process.send!({
          type: 'started',
          sipHostports: started.sipHostports,
          http: started.http,
          rtpenginePid: started.rtpengine.pid ?? null,
        });
      },
      (err: Error) => {
        process.send!({ type: 'failed', message: err.message });
        process.exitCode = 1;
        process.disconnect();
      },
    );
  } else if (msg.type === 'probe' && gw) {
    probe(msg.id, msg.gc === true).then(
      (r) => process.send!(r),
      (err: Error) => process.send!({ type: 'probe', id: msg.id, error: err.message }),
    );
  }
});

process.once('SIGTERM', () => {
  const stop = gw ? gw.stop() : Promise.resolve();
  void stop.finally(() => process.exit(0));
});
