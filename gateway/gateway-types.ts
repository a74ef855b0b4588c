// What startGateway takes and gives back.
import type { Logger } from 'pino';
import type { NgClient, RtpengineHandle } from '../media';
import type { Clock } from '../time/clock';
import type { AgentDirectory } from './agents/agent-directory';
import type { Call } from './call/call';
import type { ConversationBook } from './conversations/conversation-book';
import type { DrainController } from './drain/drain-controller';
import type { Engagements } from './engagements/engagements';
import type { OpsEvents } from './events/ops-events';
import type { GatewayMetrics } from './metrics/gateway-metrics';
import type { NotificationCenter } from './notifications/notification-center';
import type { DisconnectCoordinator } from './policy/disconnect-coordinator';
import type { SharedState } from './state/shared-state';

export interface GatewayOptions {
  logger?: Logger;
  /** Time for the gateway's deadlines; node-schedule by default. */
  clock?: Clock;
  /** Watchdog poll period (ms); default 100. */
  mediaPollMs?: number;
  /** Watchdog poll period while every leg of a call flows; default max(poll, lossMs / 2). */
  mediaFlowingPollMs?: number;
  /** Node process metrics on /metrics; default true (tests running many gateways turn them off). */
  processMetrics?: boolean;
}

export interface GatewayStats {
  calls: number;
  queued: number;
  absences: number;
  engagements: number;
  /** This gateway's pending deadlines (node-schedule jobs, keep-alives), registrations excepted. */
  deadlines: number;
  registrations: number;
  watchedCalls: number;
  /** SIP dialogs drachtio-srf still tracks (every leg of every call): 0 when idle. */
  dialogs: number;
}

export interface RunningGateway {
  /** SIP listening points, as the SIP server reports them ('udp/127.0.0.1:5060', …). */
  sipHostports: string[];
  http: { host: string; port: number };
  rtpengine: RtpengineHandle;
  agents: AgentDirectory;
  engagements: Engagements;
  conversations: ConversationBook;
  /** Conversation events and the like, for the admin stream. */
  events: OpsEvents;
  calls: ReadonlyMap<string, Call>;
  notifications: NotificationCenter;
  coordinator: DisconnectCoordinator;
  ng: NgClient;
  log: Logger;
  metrics: GatewayMetrics;
  /** Graceful shutdown: the start command drives it from signals, tests directly. */
  drain: DrainController;
  stats(): GatewayStats;
  /** Set with state.redis: the state shared with other instances (round trips, store). */
  shared?: SharedState;
  stop(): Promise<void>;
}
