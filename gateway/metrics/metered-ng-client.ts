// The ng client every rtpengine request of the gateway goes through, timed and counted:
// wrapping request() once covers offers, answers, playback, deletes and pings alike.
import { performance } from 'node:perf_hooks';
import {
  NgClient,
  type NgClientOptions,
  type NgCommand,
  type NgParams,
  type NgReply,
} from '../../media';
import type { GatewayMetrics } from './gateway-metrics';

export class MeteredNgClient extends NgClient {
  constructor(
    opts: NgClientOptions,
    private readonly metrics: GatewayMetrics,
  ) {
    super(opts);
  }

  override request(command: NgCommand, params: NgParams = {}): Promise<NgReply> {
    const started = performance.now();
    return super.request(command, params).then(
      (reply) => {
        this.metrics.observeRtpengineRequest(command, performance.now() - started);
        return reply;
      },
      (err: unknown) => {
        this.metrics.rtpengineError(command);
        throw err;
      },
    );
  }
}
