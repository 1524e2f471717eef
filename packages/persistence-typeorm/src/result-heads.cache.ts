// The heads of batches' result lists, kept in memory for status reads, one entry per batch with the
// counts it was read at. Items change state only over pending items, in the same commit as the
// batch's counts (outcomes, cancellation), and counts only grow: the same counts mean the same
// lists. So an entry answers a read whose batch row shows the counts it was stored with, and only
// that: a running batch's entry is read again after each chunk's commit, a finished batch's never
// (until the batch is removed). The batch row itself is still read every time: counts, callback
// state and whether the batch still exists stay current, in every process (ADR 0011, ADR 0033).
import { FailureResult, SuccessResult } from '@container-service/batch-domain';

export interface ResultHeads {
  readonly successes: readonly SuccessResult[];
  readonly failures: readonly FailureResult[];
  readonly hasMore: boolean;
}

/** Least recently used first out, bounded by the entries held (successes and failures together). */
export class ResultHeadsCache {
  private readonly entries = new Map<string, { readonly heads: ResultHeads; readonly counts: string; readonly size: number }>();
  private held = 0;

  constructor(private readonly maxEntries: number) {}

  /** The heads stored under `key` when they were read at these `counts`. */
  get(key: string, counts: string): ResultHeads | undefined {
    const entry = this.entries.get(key);
    if (entry?.counts !== counts) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.heads;
  }

  /** Keeps `heads`, read at `counts`, in place of whatever `key` held. */
  set(key: string, counts: string, heads: ResultHeads): void {
    this.delete(key);
    // An empty answer still takes a slot, so the bound also limits how many keys are held.
    const size = Math.max(1, heads.successes.length + heads.failures.length);
    if (size > this.maxEntries) return;
    this.entries.set(key, {
      heads: { successes: Object.freeze(heads.successes), failures: Object.freeze(heads.failures), hasMore: heads.hasMore },
      counts,
      size,
    });
    this.held += size;
    for (const [oldest, entry] of this.entries) {
      if (this.held <= this.maxEntries) break;
      this.entries.delete(oldest);
      this.held -= entry.size;
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.held -= entry.size;
  }
}
