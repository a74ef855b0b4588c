// How a receiver knows a call record comes from this gateway and is fresh.
//
//   X-Holdfast-Timestamp: <unix time in seconds when this attempt was sent>
//   X-Holdfast-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
//
// The timestamp is inside the signed material, so an old request cannot be replayed with a
// new timestamp; receivers reject timestamps more than a tolerance (300 s) away from their
// clock. Each retry is signed afresh. X-Holdfast-Delivery (a UUID, the same on every
// attempt of one record) lets receivers drop duplicates.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-holdfast-signature';
export const TIMESTAMP_HEADER = 'x-holdfast-timestamp';
export const DELIVERY_HEADER = 'x-holdfast-delivery';
export const DEFAULT_TOLERANCE_S = 300;

export function signPayload(secret: string, timestamp: number, body: string): string {
  return 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

export type VerifyResult = { ok: true } | { ok: false; reason: string };

export interface VerifyOptions {
  /** The receiver's clock, unix seconds. */
  nowS?: number;
  toleranceS?: number;
}

/** The receiver's side of the scheme (used by the tests; a reference for integrators). */
export function verifyPayload(
  secret: string,
  body: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  opts: VerifyOptions = {},
): VerifyResult {
  if (!headers.signature || !headers.timestamp)
    return { ok: false, reason: 'missing signature or timestamp header' };
  if (!/^\d+$/.test(headers.timestamp))
    return { ok: false, reason: 'timestamp is not unix seconds' };
  const timestamp = Number(headers.timestamp);
  const now = opts.nowS ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (opts.toleranceS ?? DEFAULT_TOLERANCE_S))
    return { ok: false, reason: 'timestamp outside tolerance' };
  const expected = Buffer.from(signPayload(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}
