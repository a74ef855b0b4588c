// Random tags, branches and Call-IDs (RFC 3261 §19.3: "cryptographically random"). Drawn
// from a pool filled 4 KB at a time: one crypto call per message showed in profiles.
import { randomFillSync } from 'node:crypto';

const POOL = Buffer.alloc(4096);
let used = POOL.length;

/** `bytes` random bytes as lower-case hex. */
export function randomToken(bytes = 6): string {
  if (used + bytes > POOL.length) {
    randomFillSync(POOL);
    used = 0;
  }
  const hex = POOL.toString('hex', used, used + bytes);
  used += bytes;
  return hex;
}
