// A Map bounded to `max` entries that forgets the least recently used one: however many
// source addresses an attacker uses, the table cannot grow past its bound.

export class LruTable<K, V> {
  private readonly map = new Map<K, V>();

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1)
      throw new RangeError(`LRU table size: expected a positive integer, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** The value for key, created by make() when absent; either way it becomes the most recent. */
  use(key: K, make: () => V): V {
    let value = this.map.get(key);
    if (value !== undefined) this.map.delete(key);
    else value = make();
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
    return value;
  }

  has(key: K): boolean {
    return this.map.has(key);
  }

  /** Least recently used first. */
  values(): IterableIterator<V> {
    return this.map.values();
  }

  clear(): void {
    this.map.clear();
  }
}
