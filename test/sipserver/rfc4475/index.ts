// All 49 messages of RFC 4475 §3, in the RFC's order.
import { INVALID } from './invalid-messages';
import { SEMANTICS } from './semantics-messages';
import type { TortureVector } from './torture-vector';
import { VALID } from './valid-messages';

export type { Outcome, TortureVector } from './torture-vector';
export const RFC4475_VECTORS: TortureVector[] = [...VALID, ...INVALID, ...SEMANTICS];
