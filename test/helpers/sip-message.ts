// SIP messages for the test client: parse bytes into a request/response, build and serialize
// one, and cut a byte stream (TCP) into messages by Content-Length. Deliberately lenient on
// input (tests inspect whatever the server sends) and exact on output (byte-true lengths).

const COMPACT: Record<string, string> = {
  v: 'via',
  f: 'from',
  t: 'to',
  i: 'call-id',
  m: 'contact',
  l: 'content-length',
  c: 'content-type',
  k: 'supported',
  s: 'subject',
  e: 'content-encoding',
  o: 'event',
  r: 'refer-to',
  b: 'referred-by',
  x: 'session-expires',
  u: 'allow-events',
};

const canonical = (name: string) => {
  const lower = name.trim().toLowerCase();
  return COMPACT[lower] ?? lower;
};

export type Header = [name: string, value: string];

export class SipMessage {
  /** Request method (requests only). */
  method?: string;
  uri?: string;
  /** Status code and reason phrase (responses only). */
  status?: number;
  reason?: string;
  headers: Header[];
  body: Buffer;

  constructor(init: {
    method?: string;
    uri?: string;
    status?: number;
    reason?: string;
    headers?: Header[];
    body?: Buffer | string;
  }) {
    this.method = init.method;
    this.uri = init.uri;
    this.status = init.status;
    this.reason = init.reason;
    this.headers = init.headers ?? [];
    this.body =
      typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0));
  }

  get isRequest(): boolean {
    return this.method !== undefined;
  }

  /** First value of a header (compact forms understood), or undefined. */
  get(name: string): string | undefined {
    const want = canonical(name);
    return this.headers.find(([n]) => canonical(n) === want)?.[1];
  }

  /** Every value of a header, comma-joined lines split for Via/Route/Record-Route. */
  getAll(name: string): string[] {
    const want = canonical(name);
    const values = this.headers.filter(([n]) => canonical(n) === want).map(([, v]) => v);
    if (!['via', 'route', 'record-route'].includes(want)) return values;
    return values.flatMap(splitCommas);
  }

  set(name: string, value: string): this {
    this.remove(name);
    this.headers.push([name, value]);
    return this;
  }

  remove(name: string): this {
    const want = canonical(name);
    this.headers = this.headers.filter(([n]) => canonical(n) !== want);
    return this;
  }

  get callId(): string {
    return this.get('call-id') ?? '';
  }

  get cseq(): { seq: number; method: string } {
    const [seq, method] = (this.get('cseq') ?? '').trim().split(/\s+/);
    return { seq: Number(seq), method: method ?? '' };
  }

  /** Branch parameter of the top Via. */
  get branch(): string {
    return param(this.getAll('via')[0] ?? '', 'branch') ?? '';
  }

  get fromTag(): string | undefined {
    return param(this.get('from') ?? '', 'tag');
  }

  get toTag(): string | undefined {
    return param(this.get('to') ?? '', 'tag');
  }

  startLine(): string {
    return this.isRequest
      ? `${this.method} ${this.uri} SIP/2.0`
      : `SIP/2.0 ${this.status} ${this.reason ?? ''}`;
  }

  /** Wire form; Content-Length is always the body's byte length. */
  toBuffer(): Buffer {
    const lines = [this.startLine()];
    for (const [n, v] of this.headers)
      if (canonical(n) !== 'content-length') lines.push(`${n}: ${v}`);
    lines.push(`Content-Length: ${this.body.length}`, '', '');
    return Buffer.concat([Buffer.from(lines.join('\r\n')), this.body]);
  }

  toString(): string {
    return this.toBuffer().toString('utf8');
  }
}

function splitCommas(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch === '<') depth++;
    else if (!quoted && ch === '>') depth--;
    else if (!quoted && depth === 0 && ch === ',') {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
  }
  out.push(value.slice(start).trim());
  return out.filter(Boolean);
}

/** A `;name=value` parameter of a header value (outside any <uri>), or undefined. */
export function param(value: string, name: string): string | undefined {
  const outside = value.replace(/<[^>]*>/g, '');
  const m = new RegExp(`;\\s*${name}\\s*=\\s*("[^"]*"|[^;,\\s]+)`, 'i').exec(outside);
  return m ? m[1].replace(/^"|"$/g, '') : undefined;
}

/** The URI of a name-addr (`"Bob" <sip:bob@x>;tag=1` → `sip:bob@x`) or of a bare addr-spec. */
export function uriOf(nameAddr: string): string {
  const m = /<([^>]*)>/.exec(nameAddr);
  return (m ? m[1] : nameAddr.split(';')[0]).trim();
}

/** Parses one whole message; throws on a missing start line or header/body separator. */
export function parseMessage(data: Buffer): SipMessage {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) throw new Error('no end of headers');
  const head = data.subarray(0, end).toString('utf8').split('\r\n');
  const startLine = head.shift() ?? '';
  const headers: Header[] = [];
  for (const line of head) {
    if (/^[ \t]/.test(line) && headers.length) {
      headers[headers.length - 1][1] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  const lengthValue = headers.find(([n]) => canonical(n) === 'content-length')?.[1];
  const bodyStart = end + 4;
  const body = data.subarray(
    bodyStart,
    lengthValue !== undefined ? bodyStart + Number(lengthValue) : data.length,
  );
  const response = /^SIP\/2\.0\s+(\d{3})\s*(.*)$/.exec(startLine);
  if (response) {
    return new SipMessage({ status: Number(response[1]), reason: response[2], headers, body });
  }
  const request = /^([A-Za-z]+)\s+(\S+)\s+SIP\/2\.0$/.exec(startLine);
  if (!request) throw new Error(`bad start line: ${startLine.slice(0, 80)}`);
  return new SipMessage({ method: request[1], uri: request[2], headers, body });
}

/** Cuts SIP messages out of a byte stream (TCP), skipping CRLF keep-alives. */
export class StreamFramer {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      let skip = 0;
      while (
        skip < this.buffered.length &&
        (this.buffered[skip] === 13 || this.buffered[skip] === 10)
      ) {
        skip++;
      }
      this.buffered = this.buffered.subarray(skip);
      const end = this.buffered.indexOf('\r\n\r\n');
      if (end < 0) return out;
      const head = this.buffered.subarray(0, end).toString('latin1');
      const m = /^(?:content-length|l)[ \t]*:[ \t]*(\d+)/im.exec(head);
      const total = end + 4 + (m ? Number(m[1]) : 0);
      if (this.buffered.length < total) return out;
      out.push(this.buffered.subarray(0, total));
      this.buffered = this.buffered.subarray(total);
    }
  }
}
