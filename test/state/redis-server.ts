// A throwaway redis-server for a test: loopback, a free port, no persistence, killed (and
// waited for) in teardown; restart() kills it and starts an empty one on the same port
// (a Redis restart without persistence, as docker/compose.multi.yaml runs it).
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';

export interface TestRedis {
  url: string;
  port: number;
  pid: number;
  /** Kills the server (SIGKILL) and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it, then starts an empty one on the same port (pid changes). */
  restart(o?: { downMs?: number }): Promise<void>;
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

function waitReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => done(new Error(`redis-server not ready: ${out}`)), timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = (b: Buffer) => {
      out += b.toString();
      if (out.includes('Ready to accept connections')) done();
    };
    const onExit = (code: number | null) => done(new Error(`redis-server exited ${code}: ${out}`));
    child.stdout?.on('data', onData);
    child.on('exit', onExit);
  });
}

/** A server on `port`, ready; rejects (and kills it) if it does not get there. */
async function spawnOn(port: number): Promise<{ child: ChildProcess; exited: Promise<void> }> {
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitReady(child, 5000);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  child.stdout?.resume();
  child.stderr?.resume();
  return { child, exited };
}

export async function startRedis(): Promise<TestRedis> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    let current: Awaited<ReturnType<typeof spawnOn>>;
    try {
      current = await spawnOn(port);
    } catch (err) {
      if (attempt < 3) continue; // the port was taken meanwhile
      throw err;
    }
    const stop = async () => {
      const { child, exited } = current;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    };
    const handle: TestRedis = {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: current.child.pid!,
      stop,
      restart: async (o = {}) => {
        await stop();
        await new Promise((r) => setTimeout(r, o.downMs ?? 0));
        current = await spawnOn(port);
        handle.pid = current.child.pid!;
      },
    };
    return handle;
  }
}
