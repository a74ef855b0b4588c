export { HealthRoutes, type HealthRoutesOptions } from './health-routes';
export {
  Readiness,
  type CheckResult,
  type ReadinessCheck,
  type ReadinessOptions,
  type ReadinessReport,
} from './readiness';
