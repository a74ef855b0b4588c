// name-addr / addr-spec values of From, To, Contact, Route, Record-Route (RFC 3261 §20.10):
// an optional display name, a URI, and header parameters such as tag.
export interface NameAddr {
  /** Everything up to and including the URI's closing '>' (or the bare URI). */
  head: string;
  uri: string;
  /** Header parameters after the URI, e.g. ';tag=abc;expires=60' */
  params: string;
}

export function parseNameAddr(value: string): NameAddr {
  const v = value.trim();
  const lt = v.indexOf('<');
  if (lt >= 0) {
    const gt = v.indexOf('>', lt);
    if (gt > lt) {
      return { head: v.slice(0, gt + 1), uri: v.slice(lt + 1, gt), params: v.slice(gt + 1) };
    }
  }
  // addr-spec form: parameters after the URI belong to the header, not the URI.
  const semi = v.indexOf(';');
  return semi < 0
    ? { head: v, uri: v, params: '' }
    : { head: v.slice(0, semi), uri: v.slice(0, semi), params: v.slice(semi) };
}

export function getParam(params: string, name: string): string | undefined {
  if (params.length === 0) return undefined; // most URIs and name-addrs: no split needed
  for (const p of params.split(';')) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    if (key === name.toLowerCase()) return eq < 0 ? '' : p.slice(eq + 1).trim();
  }
  return undefined;
}

/** The tag parameter of a From or To value (RFC 3261 §19.3). */
export function tagOf(value: string | undefined): string | undefined {
  return value === undefined ? undefined : getParam(parseNameAddr(value).params, 'tag');
}

export function uriOf(value: string): string {
  return parseNameAddr(value).uri;
}

export function withTag(value: string, tag: string): string {
  const na = parseNameAddr(value);
  const head = na.head.includes('<') ? na.head : `<${na.head}>`;
  return `${head}${na.params};tag=${tag}`;
}
