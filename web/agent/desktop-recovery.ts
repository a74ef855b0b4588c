// What the page does when the agent's desktop loses and regains its local media
// (desktop-redirection.ts reports it):
//   lost      at once: forget the dead WebRTC objects, and tell the gateway by both ways
//             it listens — POST /v1/agents/{id}/desktop and an in-dialog INFO — so that
//             the customer hears the "agent disconnected" prompt without waiting for the
//             media-loss timeout.
//   restored  a new peer connection and microphone, offered in a re-INVITE on the
//             existing dialog (new ICE credentials and DTLS fingerprint): the gateway
//             reattaches the call. If the WebSocket died too, a new registration instead
//             (the gateway INVITEs it back). With no call left, just the "connected" signal.
// Steps run one after the other, in the order the events came.
import type { AgentApi } from './agent-api';
import type { PhoneCall, SipPhone } from './sip-phone';

const REPORT_TIMEOUT_MS = 2000;

export type RecoveryOutcome = 're-invite' | 're-register' | 'signal' | 'failed';

export interface DesktopRecoveryOptions {
  api: AgentApi;
  phone: () => SipPhone | undefined;
  call: () => PhoneCall | undefined;
  log(line: string): void;
  /** Each completed step, for the page and the tests. */
  onStep?(step: { kind: 'lost' | 'restored'; outcome?: RecoveryOutcome; at: number }): void;
}

export class DesktopRecovery {
  private queue: Promise<void> = Promise.resolve();
  state: 'connected' | 'disconnected' = 'connected';

  constructor(private readonly opts: DesktopRecoveryOptions) {}

  lost(): Promise<void> {
    this.state = 'disconnected';
    // The objects are gone now, whatever the queue holds: nothing may use them again.
    this.opts.call()?.media?.lose();
    return this.enqueue(() => this.reportLoss());
  }

  restored(): Promise<void> {
    this.state = 'connected';
    return this.enqueue(() => this.recover());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(step, step);
    return this.queue;
  }

  private async reportLoss(): Promise<void> {
    const { api, log } = this.opts;
    const call = this.opts.call();
    const reports: Promise<unknown>[] = [api.desktop('disconnected')];
    if (call?.established && this.opts.phone()?.transportUp)
      reports.push(call.info({ desktop: 'disconnected' }));
    // An INFO on a WebSocket that died with the desktop gets no answer for 32 s (Timer F):
    // the reconnect must not wait behind it.
    const results = await Promise.allSettled(reports.map((r) => within(r, REPORT_TIMEOUT_MS)));
    const said = results.map((r, i) =>
      r.status === 'fulfilled'
        ? i
          ? 'INFO ok'
          : 'API ok'
        : `${i ? 'INFO' : 'API'}: ${(r.reason as Error).message}`,
    );
    log(`desktop lost, reported (${said.join(', ')})`);
    this.opts.onStep?.({ kind: 'lost', at: Date.now() });
  }

  private async recover(): Promise<void> {
    const outcome = await this.tryRecover().catch((err: Error) => {
      this.opts.log(`recovery failed: ${err.message}`);
      return 'failed' as const;
    });
    this.opts.onStep?.({ kind: 'restored', outcome, at: Date.now() });
  }

  private async tryRecover(): Promise<RecoveryOutcome> {
    const { api, log } = this.opts;
    const phone = this.opts.phone();
    const call = this.opts.call();
    if (phone && !phone.transportUp) {
      // The dialog went with the WebSocket: a new registration is how the gateway finds us.
      if (call && call.state !== 'ended') call.abandon('SIP connection lost');
      log('desktop back, SIP connection gone: registering again');
      await phone.renewUntilRegistered();
      return 're-register';
    }
    if (call?.established && call.media) {
      await call.media.rebuild();
      try {
        await call.reoffer();
        log(`desktop back: re-INVITE answered (peer connection #${call.media.generation})`);
        return 're-invite';
      } catch (err) {
        log(`desktop back: re-INVITE failed (${(err as Error).message}); signalling instead`);
      }
    }
    // No call to rejoin (or the re-INVITE failed): the gateway decides what "back" means.
    await api.desktop('connected');
    log('desktop back: reported');
    return 'signal';
  }
}

function within<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}
