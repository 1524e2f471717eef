// Conflicts within a batch are decided in input order however the batch is split between workers
// (contract §10). They are found where the order is known, as the batch is stored: an item that
// claims a key (an identifier its kind requires to be unique) an earlier item of the batch claimed
// too is marked `deferred`. Deferred items are applied after all the others, one after another in
// input order, so the earlier item has always been decided first; every other item claims only
// keys no earlier item claims, so it may be applied in any part, at any time (ADR 0020).
//
// Keys are remembered exactly up to EXACT_KEYS, then in a Bloom filter of fixed size, so that a
// 200 000-row file needs no more memory than a 20 000-row one. A false sighting only defers an
// item that need not wait: it costs parallelism, never correctness.
import { BatchOperation } from './batch';
import { NewBatchItem } from './batch-item';

/**
 * The keys an item claims, read from its stored input (a file row's cells when `columns` is not
 * null). An item whose keys cannot be read claims none: it fails on its own whatever its order.
 */
export type ConflictKeys = (operation: BatchOperation, input: unknown, columns: readonly string[] | null) => Iterable<string>;

/** Keys remembered exactly before the watch turns to its Bloom filter. */
export const EXACT_KEYS = 50_000;
/** The Bloom filter's size: 2^24 bits (2 MiB), with four probes per key. */
const FILTER_BITS_LOG2 = 24;
const PROBES = 4;

export class ConflictWatch {
  private exact: Set<string> | null = new Set();
  private filter: Uint32Array | null = null;
  private deferredCount = 0;

  constructor(
    private readonly keysOf: ConflictKeys | undefined,
    private readonly operation: BatchOperation,
    private readonly columns: readonly string[] | null = null,
  ) {}

  /** How many items were marked so far. */
  get deferred(): number {
    return this.deferredCount;
  }

  /** `item`, marked deferred when it claims a key an earlier item claimed. Call in input order. */
  mark(item: NewBatchItem): NewBatchItem {
    if (this.keysOf === undefined) return item;
    let seen = false;
    for (const key of this.keysOf(this.operation, item.input, this.columns)) {
      if (this.sighted(key)) seen = true;
    }
    if (!seen) return item;
    this.deferredCount++;
    return { ...item, deferred: true };
  }

  /** Remembers `key`; whether it was (or, past the exact set, may have been) seen before. */
  private sighted(key: string): boolean {
    if (this.exact !== null) {
      if (this.exact.has(key)) return true;
      this.exact.add(key);
      if (this.exact.size > EXACT_KEYS) this.toFilter();
      return false;
    }
    return this.probe(key, true);
  }

  private toFilter(): void {
    const keys = this.exact ?? new Set<string>();
    this.exact = null;
    this.filter = new Uint32Array((1 << FILTER_BITS_LOG2) / 32);
    for (const key of keys) this.probe(key, true);
  }

  /** Whether every probe of `key` was set already; sets them when `set`. */
  private probe(key: string, set: boolean): boolean {
    const filter = this.filter;
    if (filter === null) return false;
    const [h1, h2] = hashes(key);
    const mask = (1 << FILTER_BITS_LOG2) - 1;
    let all = true;
    for (let i = 0; i < PROBES; i++) {
      const bit = (h1 + Math.imul(i, h2 | 1)) & mask;
      const word = bit >>> 5;
      const flag = 1 << (bit & 31);
      const current = filter[word] ?? 0;
      if ((current & flag) === 0) {
        all = false;
        if (set) filter[word] = current | flag;
      }
    }
    return all;
  }
}

/** Two independent 32-bit hashes of `key` (FNV-1a, and a multiply-rotate mix), for double hashing. */
function hashes(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b = (b << 13) | (b >>> 19);
  }
  b = Math.imul(b ^ (b >>> 15), 0x85ebca6b);
  return [a >>> 0, (b ^ (b >>> 13)) >>> 0];
}
