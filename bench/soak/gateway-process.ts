// The soak driver's handle on the gateway child (gateway-child.ts): starts it with a
// configuration, probes it over IPC, reads its RSS and descriptors, and stops it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { ChildProbeReply, ChildStart } from './gateway-child';
import { procUsage, type ProcUsage } from './proc-usage';

export interface GatewayProbe extends ChildProbeReply, ProcUsage {}

interface Started {
  sipHostports: string[];
  http: { host: string; port: number };
  rtpenginePid: number | null;
}

export class GatewayProcess {
  private nextId = 1;
  private readonly waiting = new Map<number, (r: ChildProbeReply) => void>();
  private exitedWith?: number | null;
  readonly exited: Promise<number | null>;

  private constructor(
    private readonly child: ChildProcess,
    readonly started: Started,
  ) {
    child.on('message', (m: ChildProbeReply) => {
      if (m.type !== 'probe') return;
      this.waiting.get(m.id)?.(m);
      this.waiting.delete(m.id);
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.exitedWith = code;
        resolve(code);
      }),
    );
  }

  static async start(opts: {
    doc: Record<string, unknown>;
    env: Record<string, string>;
    logFile: number | 'ignore';
  }): Promise<GatewayProcess> {
    // Compiled (dist/bench/soak) or from sources through a TypeScript loader: the same name.
    const entry = path.join(__dirname, `gateway-child${path.extname(__filename)}`);
    const child = fork(entry, [], {
      execArgv: [...process.execArgv, '--expose-gc'],
      stdio: ['ignore', opts.logFile, opts.logFile, 'ipc'],
      env: { ...process.env, ...opts.env },
    });
    const started = await new Promise<Started>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the gateway did not start in 30 s')),
        30_000,
      );
      child.once('exit', (code) =>
        reject(new Error(`the gateway exited during start-up (${code})`)),
      );
      child.on('message', (m: { type: string; message?: string } & Started) => {
        if (m.type === 'started') {
          clearTimeout(timer);
          resolve(m);
        } else if (m.type === 'failed')
          reject(new Error(`the gateway failed to start: ${m.message}`));
      });
      const start: ChildStart = { type: 'start', doc: opts.doc, env: opts.env };
      child.send(start);
    });
    return new GatewayProcess(child, started);
  }

  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exitedWith === undefined;
  }

  async probe(opts: { gc?: boolean; timeoutMs?: number } = {}): Promise<GatewayProbe> {
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (!this.alive) throw new Error(`the gateway process exited (${this.exitedWith})`);
    const id = this.nextId++;
    const reply = await new Promise<ChildProbeReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error('the gateway did not answer a probe'));
      }, timeoutMs);
      this.waiting.set(id, (r) => {
        clearTimeout(timer);
        resolve(r);
      });
      this.child.send({ type: 'probe', id, gc: opts.gc === true });
    });
    return { ...reply, ...procUsage(this.pid) };
  }

  usage(): ProcUsage {
    return procUsage(this.pid);
  }

  async stop(): Promise<number | null> {
    if (this.alive) this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
