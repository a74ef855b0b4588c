// The media layer's public API: everything the gateway needs from rtpengine.
export {
  launchRtpengine,
  rtpengineFromEnv,
  connectExternal,
  waitForPing,
} from './rtpengine-launcher';
export type {
  RtpengineHandle,
  LaunchOptions,
  ConnectOptions,
  SupervisionOptions,
} from './rtpengine-launcher';
export { RtpengineHealth } from './rtpengine-health';
export type {
  RtpengineState,
  DownCause,
  RtpengineHealthEvents,
  RtpengineDownEvent,
  RtpengineUpEvent,
  RtpengineStateLostEvent,
  RestartFailedEvent,
  RtpengineHealthSnapshot,
} from './rtpengine-health';
export type { MonitorOptions } from './rtpengine-monitor';
export type { BackoffOptions } from './rtpengine-supervisor';
export {
  callsForPortRange,
  portRangeWarning,
  checkPortRange,
  DEFAULT_PORT_COUNT,
  TARGET_CALLS,
} from './port-range';
export type { PortRange, CapacityOptions } from './port-range';
export { NgClient } from './ng-client';
export type { NgClientOptions } from './ng-client';
export type { NgCommand, NgParams, NgReply, NgTag, NgMedia, NgStream } from './ng-types';
export { MediaSession } from './media-session';
export type { LegInfo, MediaSessionEvents } from './media-session';
export type { SessionSnapshot } from './session-snapshot';
export { profileFlags, isLegProfile, LEG_PROFILES } from './leg-profile';
export type { LegProfile } from './leg-profile';
export { Playback } from './playback';
export type { PlaybackOptions, PlaybackState } from './playback';
export { validatePrompt } from './prompt-validator';
export type { PromptFile } from './prompt-validator';
export { parseSdp, audioOf, attr, attrs, SdpParseError } from './sdp';
export { sdpLimitViolation, SDP_LIMITS } from './sdp-limits';
export type { SdpLimits } from './sdp-limits';
export type { Sdp, SdpMedia, Direction } from './sdp';
export { systemClock } from '../time/clock';
export type { Clock, Timer } from '../time/clock';
export {
  RtpengineError,
  RtpengineUnavailableError,
  UnsupportedSdpError,
  PromptFileError,
  ClosedError,
} from './errors';
export { MediaWatchdog, packetsFrom } from './media-watchdog';
export type {
  WatchdogOptions,
  WatchdogEvents,
  LegEvent,
  LegLostEvent,
  LegRestoredEvent,
  CallGoneEvent,
  LegListener,
  WatchHandle,
} from './media-watchdog';
export { QueryScheduler } from './query-scheduler';
export type { QuerySchedulerOptions } from './query-scheduler';
export { LegLossDetector } from './leg-loss-detector';
export type { LegLossState, LegLossEvent, LegLossOptions } from './leg-loss-detector';
