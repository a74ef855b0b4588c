// SIP requests and responses as ordered header lists plus a byte body (RFC 3261 §7).
import { canonicalName, headerKey, MULTI_VALUE } from './header-names';
import { splitHeaderValues } from './split-values';

export interface Header {
  name: string;
  value: string;
  /** headerKey(name), computed once: every lookup compares it. */
  readonly key: string;
}

export function header(name: string, value: string): Header {
  return { name, value, key: headerKey(name) };
}

abstract class SipMessageBase {
  headers: Header[] = [];
  body: Buffer = Buffer.alloc(0);

  /** First value of a header (first entry of a comma list for Via/Route/Contact...). */
  get(name: string): string | undefined {
    const key = headerKey(name);
    for (const h of this.headers) {
      if (h.key !== key) continue;
      if (!MULTI_VALUE.has(key)) return h.value;
      // One value (the usual Via or Contact): no need to split.
      const first = h.value.includes(',')
        ? splitHeaderValues(h.value)[0]
        : h.value.trim() || undefined;
      if (first !== undefined) return first;
    }
    return undefined;
  }

  /** All values of a header, comma-joined entries split for the multi-value headers. */
  getAll(name: string): string[] {
    const key = headerKey(name);
    const values: string[] = [];
    for (const h of this.headers) if (h.key === key) values.push(h.value);
    return MULTI_VALUE.has(key) ? values.flatMap(splitHeaderValues) : values;
  }

  has(name: string): boolean {
    const key = headerKey(name);
    return this.headers.some((h) => h.key === key);
  }

  /** Replaces every occurrence with one header, in the position of the first. */
  set(name: string, value: string): void {
    const key = headerKey(name);
    const at = this.headers.findIndex((h) => h.key === key);
    this.remove(name);
    const h = header(canonicalName(name), value);
    if (at < 0) this.headers.push(h);
    else this.headers.splice(at, 0, h);
  }

  append(name: string, value: string): void {
    this.headers.push(header(canonicalName(name), value));
  }

  prepend(name: string, value: string): void {
    this.headers.unshift(header(canonicalName(name), value));
  }

  remove(name: string): void {
    const key = headerKey(name);
    this.headers = this.headers.filter((h) => h.key !== key);
  }

  get callId(): string {
    return this.get('call-id') ?? '';
  }

  /** CSeq number and method (RFC 3261 §8.1.1.5). */
  get cseq(): Readonly<{ seq: number; method: string }> {
    const raw = this.get('cseq') ?? '';
    // Read many times per message (transaction keys, dialogs, ACK matching): parsed once
    // per value. Headers can change, hence keyed by the text.
    if (this.cseqCache?.raw === raw) return this.cseqCache.parsed;
    const m = /^\s*(\d+)\s+(\S+)/.exec(raw);
    const parsed = m ? { seq: Number(m[1]), method: m[2].toUpperCase() } : { seq: 0, method: '' };
    this.cseqCache = { raw, parsed };
    return parsed;
  }

  private cseqCache?: { raw: string; parsed: Readonly<{ seq: number; method: string }> };
}

export class SipRequest extends SipMessageBase {
  readonly kind = 'request';
  constructor(
    public method: string,
    public uri: string,
  ) {
    super();
  }
}

export class SipResponse extends SipMessageBase {
  readonly kind = 'response';
  constructor(
    public status: number,
    public reason: string,
  ) {
    super();
  }
}

export type SipMessage = SipRequest | SipResponse;
