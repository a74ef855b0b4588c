export { HealthRoutes, type HealthRoutesOptions } from './health-routes';
export {
  Readiness,
  type CheckResult,
  type HealthDetail,
  type ReadinessCheck,
  type ReadinessOptions,
  type ReadinessReport,
} from './readiness';
export { reportRtpengine, type RtpengineReportDeps } from './rtpengine-report';
