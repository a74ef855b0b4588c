export { LruTable } from './lru-table';
export { requestClass, SipRateLimiter } from './sip-rate-limiter';
export type {
  AddressMatcher,
  Exemption,
  SipRateLimiterOptions,
  SipRequestClass,
  ThrottledSource,
  ThrottleSummary,
} from './sip-rate-limiter';
export { ThrottleReporter, type ThrottleSummarySource } from './throttle-reporter';
export { assertBudget, RateLimitConfigError, TokenBucket, type Budget } from './token-bucket';
