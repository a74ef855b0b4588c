// Which app connections want new requests of a verb; shared round-robin (drachtio's
// inbound mode spreads new requests over every connected app routing that verb).
export class RouteTable<C> {
  private readonly byVerb = new Map<string, C[]>();
  private readonly next = new Map<string, number>();

  add(verb: string, conn: C): void {
    const list = this.byVerb.get(verb.toLowerCase()) ?? [];
    if (!list.includes(conn)) list.push(conn);
    this.byVerb.set(verb.toLowerCase(), list);
  }

  /** Like drachtio-server, removing any route drops all routes of that connection. */
  removeAll(conn: C): void {
    for (const [verb, list] of this.byVerb) {
      const kept = list.filter((c) => c !== conn);
      if (kept.length) this.byVerb.set(verb, kept);
      else this.byVerb.delete(verb);
    }
  }

  has(verb: string, conn: C): boolean {
    return this.byVerb.get(verb.toLowerCase())?.includes(conn) ?? false;
  }

  /** Does any connection route `verb`? */
  routed(verb: string): boolean {
    return (this.byVerb.get(verb.toLowerCase())?.length ?? 0) > 0;
  }

  /** Every routed verb, upper case (for Allow). */
  verbs(): string[] {
    return [...this.byVerb.keys()].map((v) => v.toUpperCase());
  }

  pick(verb: string): C | undefined {
    const list = this.byVerb.get(verb.toLowerCase());
    if (!list?.length) return undefined;
    const i = (this.next.get(verb.toLowerCase()) ?? 0) % list.length;
    this.next.set(verb.toLowerCase(), i + 1);
    return list[i];
  }
}
