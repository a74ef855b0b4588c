// The SIP server as operators run it beside the gateway: `holdfast sipserver` in a process
// of its own, on fixed ports so that a restart comes back where parties and the gateway's
// drachtio-srf look for it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The folder with package.json above this file (sources or dist/). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error('no package.json above the soak scripts');
    dir = up;
  }
  return dir;
}

export interface SipserverPorts {
  sip: number;
  ws: number;
  drachtio: number;
}

export class SipserverProcess {
  private child?: ChildProcess;
  restarts = 0;

  constructor(
    private readonly ports: SipserverPorts,
    private readonly secret: string,
    private readonly logFile: number | 'ignore',
  ) {}

  async start(): Promise<void> {
    const bin = path.join(repoRoot(), 'bin', 'holdfast');
    const child = spawn(
      process.execPath,
      [
        bin,
        'sipserver',
        '--contact',
        `sip:127.0.0.1:${this.ports.sip};transport=udp,tcp`,
        '--contact',
        `sip:127.0.0.1:${this.ports.ws};transport=ws`,
        '--port',
        String(this.ports.drachtio),
        '--secret',
        this.secret,
        '--loglevel',
        'warn',
      ],
      { stdio: ['ignore', 'pipe', this.logFile] },
    );
    this.child = child;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error('sipserver did not start in 15 s')), 15_000);
      child.once('exit', (code) =>
        reject(new Error(`sipserver exited at start (${code}): ${out}`)),
      );
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (/drachtio apps on/.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Kills it (SIGKILL: every transaction and dialog it held is gone) and starts it again. */
  async restart(): Promise<void> {
    await this.stop('SIGKILL');
    await this.start();
    this.restarts++;
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
}
