// The SIP server a SIP benchmark drives: `holdfast sipserver` as its own process (default),
// the embedded server inside the benchmark process, or an external drachtio-server
// (DRACHTIO_HOST/PORT/SECRET). For a child process, its CPU time can be read per step, and
// `profileDir` runs it under `node --cpu-prof`.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSipServer } from '../sipserver';
import { freePort } from '../test/helpers/sip-ports';
import { parseHostports, type SipServerUnderTest } from '../test/helpers/sip-server';

export type ServerMode = 'process' | 'inline' | 'external';

export interface BenchServer {
  mode: ServerMode;
  under: SipServerUnderTest;
  /** The server's process id when it is not this process (for its CPU time). */
  pid?: number;
  stop(): Promise<void>;
}

const SECRET = 'bench-secret';

export async function startBenchServer(
  mode: ServerMode,
  profileDir?: string,
): Promise<BenchServer> {
  const { DRACHTIO_HOST, DRACHTIO_PORT, DRACHTIO_SECRET } = process.env;
  if (mode === 'external') {
    if (!DRACHTIO_HOST || !DRACHTIO_PORT || !DRACHTIO_SECRET) {
      throw new Error('external mode needs DRACHTIO_HOST, DRACHTIO_PORT and DRACHTIO_SECRET');
    }
    const connect = { host: DRACHTIO_HOST, port: Number(DRACHTIO_PORT), secret: DRACHTIO_SECRET };
    const pid = process.env.SIP_BENCH_SERVER_PID
      ? Number(process.env.SIP_BENCH_SERVER_PID)
      : undefined;
    // The SIP address comes from the authenticate reply, via SIP_BENCH_SIP (host:port).
    const [host, port] = (process.env.SIP_BENCH_SIP ?? '127.0.0.1:5080').split(':');
    const under = { connect, sip: { udp: { host, port: Number(port) } }, external: true };
    return { mode, under, pid, stop: async () => undefined };
  }
  if (mode === 'inline') {
    const server = await startSipServer({
      contacts: ['sip:127.0.0.1:0;transport=udp'],
      port: 0,
      secret: SECRET,
      logger: (await import('pino')).default({ level: 'warn' }),
    });
    const under = {
      connect: server.drachtio,
      sip: parseHostports(server.sipHostports.join(',')),
      external: false,
    };
    return { mode, under, stop: () => server.close() };
  }
  const sipPort = await freePort();
  const appPort = await freePort();
  const root = join(__dirname, '..', '..');
  const args = [
    ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
    join(root, 'bin', 'holdfast'),
    'sipserver',
    '--secret',
    SECRET,
    '--port',
    String(appPort),
    '--contact',
    `sip:127.0.0.1:${sipPort};transport=udp`,
    '--loglevel',
    'warn',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await readyLine(child);
  const under = {
    connect: { host: '127.0.0.1', port: appPort, secret: SECRET },
    sip: { udp: { host: '127.0.0.1', port: sipPort } },
    external: false,
  };
  return {
    mode,
    under,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

function readyLine(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`sipserver did not start: ${out}`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('sipserver: drachtio apps on')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`sipserver exited (${code}): ${out}`)));
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc; undefined elsewhere. */
export function cpuSeconds(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'latin1').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks
  } catch {
    return undefined;
  }
}

/**
 * Datagrams the kernel dropped because the socket bound to `port` on 127.0.0.1 had a full
 * receive buffer (the last column of /proc/net/udp); undefined when unknown.
 */
export function udpDrops(port: number): number | undefined {
  try {
    for (const line of readFileSync('/proc/net/udp', 'latin1').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length > 12 && parseInt(f[1].split(':')[1], 16) === port)
        return Number(f[f.length - 1]);
    }
  } catch {
    // not Linux
  }
  return undefined;
}
