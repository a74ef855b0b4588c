// The parts of a SIP URI we route on (RFC 3261 §19.1.1).
export interface SipUri {
  scheme: string;
  user?: string;
  host: string;
  port?: number;
  params: Record<string, string>;
}

const URI = /^(sips?|tel):(?:([^@;?]*)@)?(\[[^\]]+\]|[^:;?]+)(?::(\d+))?((?:;[^?]*)?)/i;

export function parseUri(text: string): SipUri | undefined {
  const m = URI.exec(text.trim());
  if (!m) return undefined;
  const params: Record<string, string> = {};
  for (const p of m[5].split(';').filter(Boolean)) {
    const eq = p.indexOf('=');
    if (eq < 0) params[p.toLowerCase()] = '';
    else params[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
  }
  return {
    scheme: m[1].toLowerCase(),
    user: m[2] || undefined,
    host: m[3].replace(/^\[|\]$/g, '').toLowerCase(),
    port: m[4] ? Number(m[4]) : undefined,
    params,
  };
}

/** user@host:port, the key we use to compare contacts. */
export function uriKey(uri: SipUri): string {
  return `${uri.user ? uri.user + '@' : ''}${uri.host}${uri.port ? ':' + uri.port : ''}`;
}

/** user@host, an address-of-record key (RFC 3261 §10.3 step 5 ignores the port too). */
export function aorKey(uri: SipUri): string {
  return `${uri.user ? uri.user + '@' : ''}${uri.host}`;
}
