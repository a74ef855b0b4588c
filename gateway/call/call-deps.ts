// What every call is given by the gateway that creates it.
import type { Logger } from 'pino';
import type { MediaWatchdog, PromptFile } from '../../media';
import type { Clock } from '../../time/clock';
import type { SipRequest, SrfInstance } from '../sip-types/srf-types';

export interface CallDeps {
  srf: SrfInstance;
  clock: Clock;
  /** Shared watchdog; each agent leg watches its own media through it. */
  watchdog: MediaWatchdog;
  prompts: {
    agentDisconnected: PromptFile;
    primaryDisconnected: PromptFile;
    waitMusic: PromptFile;
    overflow?: PromptFile;
  };
  keepaliveMs: number;
  /** queue.musicDelayMs: no wait music in a call's first moments. */
  musicDelayMs?: number;
  failureReasons: string[];
  log: Logger;
  /** Headers for an agent's INVITE that say who calls (privacy rules applied). */
  identity?: (req: SipRequest) => Record<string, string>;
}
