export { GatewayMetrics, type GatewayMetricsOptions } from './gateway-metrics';
export * from './metric-labels';
export { observeCallRecord } from './call-record-metrics';
