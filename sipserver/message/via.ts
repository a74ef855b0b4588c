// The Via header (RFC 3261 §20.42, §18.2.1) and branch ids (§8.1.1.7).
import { getParam } from './name-addr';
import { randomToken } from './random-ids';

/** RFC 3261 §8.1.1.7: branch ids start with the magic cookie "z9hG4bK". */
export const MAGIC_COOKIE = 'z9hG4bK';

export interface Via {
  transport: string;
  host: string;
  port?: number;
  params: string;
  branch?: string;
}

const VIA = /^SIP\s*\/\s*2\.0\s*\/\s*([A-Za-z]+)\s+(\[[^\]]+\]|[^\s:;]+)(?:\s*:\s*(\d+))?\s*(.*)$/i;

export function parseVia(value: string): Via | undefined {
  const m = VIA.exec(value.trim());
  if (!m) return undefined;
  return {
    transport: m[1].toUpperCase(),
    host: m[2].replace(/^\[|\]$/g, ''),
    port: m[3] ? Number(m[3]) : undefined,
    params: m[4],
    branch: getParam(m[4], 'branch'),
  };
}

export function newBranch(): string {
  return MAGIC_COOKIE + randomToken(8);
}
