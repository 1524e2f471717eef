// The heads of the result lists of finished batches, kept in memory for status reads. Once no item
// of a batch is pending its items never change state again (outcomes are only written over
// pending items, in the same commit as the counts), so the lists a status read answers for a
// finished batch are the same on every read until the batch is removed. The batch row itself is
// still read every time: counts, callback state and whether the batch still exists stay current.
import { FailureResult, SuccessResult } from '@container-service/batch-domain';

export interface ResultHeads {
  readonly successes: readonly SuccessResult[];
  readonly failures: readonly FailureResult[];
  readonly hasMore: boolean;
}

/** Least recently used first out, bounded by the entries held (successes and failures together). */
export class ResultHeadsCache {
  private readonly entries = new Map<string, { readonly heads: ResultHeads; readonly size: number }>();
  private held = 0;

  constructor(private readonly maxEntries: number) {}

  get(key: string): ResultHeads | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.heads;
  }

  set(key: string, heads: ResultHeads): void {
    // An empty answer still takes a slot, so the bound also limits how many keys are held.
    const size = Math.max(1, heads.successes.length + heads.failures.length);
    if (size > this.maxEntries) return;
    this.delete(key);
    this.entries.set(key, { heads: { successes: Object.freeze(heads.successes), failures: Object.freeze(heads.failures), hasMore: heads.hasMore }, size });
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
