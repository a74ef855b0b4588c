// Splits a header value at top-level commas, ignoring commas inside quotes and <...>
// (RFC 3261 §7.3.1: a display name or URI may legally contain a comma).
export function splitHeaderValues(value: string): string[] {
  return splitTopLevel(value)
    .map((v) => v.trim())
    .filter((v) => v.length > 0);
}

/** The comma-separated pieces as they are, empty ones included (for syntax checks). */
export function splitTopLevel(value: string, separator = ','): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (quoted) {
      if (ch === '\\') i++;
      else if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '<') depth++;
    else if (ch === '>') depth = Math.max(0, depth - 1);
    else if (ch === separator && depth === 0) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}
