// The `media` section and the rtpengine to use: the external one of RTPENGINE_HOST/PORT, or
// a private one on `media.ports`.
import { ConfigError } from './config-error';
import type { HoldfastConfig, PortRange } from './config-types';
import { DEFAULTS } from './defaults';
import { onlyKnownKeys, positiveInt, show, str, type Obj } from './config-values';

export const MEDIA_KEYS = ['lossMs', 'ports', 'portBlock'] as const;

export function parseMedia(media: Obj, env: NodeJS.ProcessEnv): HoldfastConfig['media'] {
  const lossMs = positiveInt(media.lossMs, 'media.lossMs', DEFAULTS.media.lossMs);
  const rtpHost = env.RTPENGINE_HOST;
  const rtpPort = env.RTPENGINE_PORT;
  if (rtpHost || rtpPort) {
    // The port range is the external rtpengine's own setting; holdfast cannot apply it.
    const set = ['ports', 'portBlock'].find((k) => media[k] !== undefined && media[k] !== null);
    if (set)
      throw new ConfigError(
        `media.${set}`,
        'sets the private rtpengine, but RTPENGINE_HOST/PORT name an external one: set ' +
          `that rtpengine's --port-min/--port-max instead and remove media.${set}`,
      );
    const rtpengine = {
      host: str(rtpHost, 'RTPENGINE_HOST'),
      port: positiveInt(rtpPort, 'RTPENGINE_PORT'),
    };
    return { lossMs, rtpengine };
  }
  const ports = portRange(media.ports, 'media.ports');
  if (ports && media.portBlock !== undefined && media.portBlock !== null)
    throw new ConfigError(
      'media.portBlock',
      'is the size of a claimed block: not with media.ports',
    );
  const portBlock = blockSize(media.portBlock);
  return { lossMs, ...(ports ? { ports } : {}), ...(portBlock ? { portBlock } : {}) };
}

function blockSize(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = positiveInt(v, 'media.portBlock');
  if (n < 8 || n > 16384)
    throw new ConfigError('media.portBlock', `must be from 8 (one call) to 16384 ports (got ${n})`);
  return n;
}

function portRange(v: unknown, key: string): PortRange | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(key, `must be a mapping {min, max} (got ${show(v)})`);
  const r = v as Obj;
  onlyKnownKeys(r, key, ['min', 'max']);
  const min = unprivilegedPort(r.min, `${key}.min`);
  const max = unprivilegedPort(r.max, `${key}.max`);
  if (min > max) throw new ConfigError(key, `min must not exceed max (got ${min} > ${max})`);
  // One call holds two legs, each an RTP/RTCP pair.
  if (max - min + 1 < 4)
    throw new ConfigError(key, `must span at least 4 ports for one call (got ${min}–${max})`);
  return { min, max };
}

/** Ports below 1024 need root, which a private rtpengine does not have. */
function unprivilegedPort(v: unknown, key: string): number {
  const port = positiveInt(v, key);
  if (port < 1024 || port > 65535)
    throw new ConfigError(key, `must be a UDP port from 1024 to 65535 (got ${port})`);
  return port;
}
