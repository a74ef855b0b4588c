// Checks of single configuration values. Each names its key in the ConfigError it throws,
// so that start-up fails with a line an operator can act on.
import path from 'node:path';
import { ConfigError } from './config-error';
import { didYouMean } from './did-you-mean';
import { packageRoot } from './defaults';

export type Obj = Record<string, unknown>;

export const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/** Refuses keys of `obj` that are not in `known`, suggesting the nearest known one. */
export function onlyKnownKeys(obj: Obj, where: string | undefined, known: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    const near = didYouMean(k, known);
    throw new ConfigError(
      where ? `${where}.${k}` : k,
      `unknown key${near ? `; did you mean ${near}?` : ''} (known: ${known.join(', ')})`,
    );
  }
}

/** A mapping under `parent[key]` (empty when absent) whose keys must all be in `known`. */
export function section(parent: Obj, key: string, known: readonly string[], where = key): Obj {
  const v = parent[key];
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new ConfigError(where, `must be a mapping (got ${show(v)})`);
  onlyKnownKeys(v as Obj, where, known);
  return v as Obj;
}

export function positiveInt(v: unknown, key: string, fallback?: number, allowZero = false): number {
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new ConfigError(key, 'is required');
    return fallback;
  }
  const n = typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < (allowZero ? 0 : 1)) {
    throw new ConfigError(
      key,
      `must be a ${allowZero ? 'non-negative' : 'positive'} integer (got ${show(v)})`,
    );
  }
  return n;
}

export function bool(v: unknown, key: string, fallback: boolean): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new ConfigError(key, `must be true or false (got ${show(v)})`);
  return v;
}

export function str(v: unknown, key: string, fallback?: string): string {
  if (v === undefined || v === null) {
    if (fallback === undefined) throw new ConfigError(key, 'is required');
    return fallback;
  }
  if (typeof v !== 'string' || v.trim() === '')
    throw new ConfigError(key, `must be a non-empty string (got ${show(v)})`);
  return v;
}

export function optStr(v: unknown, key: string): string | undefined {
  return v === undefined || v === null ? undefined : str(v, key);
}

export function strList(v: unknown, key: string, fallback: readonly string[]): string[] {
  if (v === undefined || v === null) return [...fallback];
  const list = typeof v === 'string' ? [v] : v;
  if (!Array.isArray(list))
    throw new ConfigError(key, `must be a list of strings (got ${show(v)})`);
  return list.map((item, i) => str(item, `${key}[${i}]`));
}

export function hostPort(v: string, key: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(v.trim()) ?? /^()()(\d+)$/.exec(v.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new ConfigError(key, `must be host:port or a port (got ${show(v)})`);
  return { host: m[1] || m[2] || '127.0.0.1', port };
}

export function sipUri(v: string, key: string): string {
  if (!/^sips?:[^\s]+$/i.test(v))
    throw new ConfigError(key, `must be a sip: or sips: URI (got ${show(v)})`);
  return v;
}

/** Resolves a file setting: relative paths are taken from the config file's folder. */
export function file(v: unknown, key: string, base: string, fallback?: string): string | undefined {
  if ((v === undefined || v === null) && fallback) return path.resolve(packageRoot(), fallback);
  const s = optStr(v, key);
  return s === undefined ? undefined : path.resolve(base, s);
}
