export { GatewayMetrics, type GatewayMetricsOptions } from './gateway-metrics';
export * from './metric-labels';
