// RFC 4475 §3.1.2, "Invalid Messages", in the RFC's order.
import { INVALID_HEADERS } from './invalid-headers';
import { INVALID_LINES } from './invalid-lines';
import type { TortureVector } from './torture-vector';

export const INVALID: TortureVector[] = [...INVALID_LINES, ...INVALID_HEADERS];
