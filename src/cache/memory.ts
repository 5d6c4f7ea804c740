/**
 * Tier 0: a bounded LRU in the isolate's memory, so a hot key costs no I/O.
 * Bounded by entry count and by (approximate) bytes; entries past their
 * `expiresAt` are dropped on read.
 */

type Slot<T> = { value: T; bytes: number; expiresAt: number };

export type MemoryStats = { entries: number; bytes: number; maxEntries: number; maxBytes: number };

export class MemoryCache<T> {
  readonly #slots = new Map<string, Slot<T>>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;

  /** @example new MemoryCache<CachedAnswer>({ maxEntries: 500, maxBytes: 8 << 20 }) */
  constructor(limits: { maxEntries: number; maxBytes: number }) {
    this.#maxEntries = limits.maxEntries;
    this.#maxBytes = limits.maxBytes;
  }

  get(key: string, now: number): T | undefined {
    const slot = this.#slots.get(key);
    if (!slot) return undefined;
    if (now >= slot.expiresAt) {
      this.delete(key);
      return undefined;
    }
    // Most recently used goes last: Map keeps insertion order.
    this.#slots.delete(key);
    this.#slots.set(key, slot);
    return slot.value;
  }

  /** `bytes` is the caller's estimate of the value's size (the body's length is close enough). */
  set(key: string, value: T, bytes: number, expiresAt: number): void {
    this.delete(key);
    if (bytes > this.#maxBytes) return;
    this.#slots.set(key, { value, bytes, expiresAt });
    this.#bytes += bytes;
    for (const oldest of this.#slots.keys()) {
      if (this.#slots.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const slot = this.#slots.get(key);
    if (!slot) return;
    this.#slots.delete(key);
    this.#bytes -= slot.bytes;
  }

  clear(): void {
    this.#slots.clear();
    this.#bytes = 0;
  }

  stats(): MemoryStats {
    return { entries: this.#slots.size, bytes: this.#bytes, maxEntries: this.#maxEntries, maxBytes: this.#maxBytes };
  }
}
