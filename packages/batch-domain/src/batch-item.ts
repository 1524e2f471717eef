// What a batch holds per item: the client's reference, the input as received, and its outcome.

export type ItemState = 'pending' | 'success' | 'failed' | 'cancelled';

/** An item as submitted, before processing. `row` is the file line for file batches. */
export interface NewBatchItem {
  readonly refId: string;
  readonly row?: number | null;
  readonly input: unknown;
  /** Claims a key an earlier item of the batch claims: applied after the others (ConflictWatch). */
  readonly deferred?: boolean;
}

/** The outcome of one processed item, addressed by its position in the batch (0-based). */
export type ItemOutcome =
  | { readonly seq: number; readonly kind: 'success'; readonly resultId: string }
  | { readonly seq: number; readonly kind: 'failed'; readonly reason: string; readonly code: string };

/** An item's result as reported to clients; `input` (the item as received) only when asked for. */
export type ItemResult = (
  | { readonly seq: number; readonly refId: string; readonly row: number | null; readonly outcome: 'success'; readonly resultId: string }
  | { readonly seq: number; readonly refId: string; readonly row: number | null; readonly outcome: 'failed'; readonly reason: string; readonly code: string }
  | { readonly seq: number; readonly refId: string; readonly row: number | null; readonly outcome: 'cancelled' }
) & { readonly input?: unknown };

export type SuccessResult = Extract<ItemResult, { outcome: 'success' }>;
export type FailureResult = Extract<ItemResult, { outcome: 'failed' }>;
