// A SIP message as the fuzzer holds it between mutations: start line parts, an ordered
// header list and a body, serialised only at the end (with Content-Length computed unless
// a mutation chose one).

export interface SipDraft {
  /** Request: method, uri, version; response: version, status, reason. */
  start: [string, string, string];
  headers: Array<[string, string]>;
  body: Buffer;
  /** 'auto' = the body's byte length; null = no header; a string = written as is. */
  contentLength: 'auto' | null | string;
  /** Line end between start line and headers ("\r\n" unless mutated). */
  eol: string;
}

export function serializeDraft(d: SipDraft): Buffer {
  const lines = [d.start.join(' ')];
  for (const [n, v] of d.headers) lines.push(`${n}: ${v}`);
  if (d.contentLength === 'auto') lines.push(`Content-Length: ${d.body.length}`);
  else if (d.contentLength !== null) lines.push(`Content-Length: ${d.contentLength}`);
  return Buffer.concat([Buffer.from(lines.join(d.eol) + d.eol + d.eol, 'utf8'), d.body]);
}

export function headerIndex(d: SipDraft, name: string): number {
  const lower = name.toLowerCase();
  return d.headers.findIndex(([n]) => n.toLowerCase() === lower);
}

export function isSdp(d: SipDraft): boolean {
  return d.body.subarray(0, 3).toString('latin1') === 'v=0';
}
