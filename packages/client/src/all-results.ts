// allResults(): every item result of a batch, in input order, across the pages of the results
// route (contract §3.1), one page in memory at a time.
import type { BatchClient } from './batch-client';
import type { OutcomeFilter, ResultItem } from './types';

export interface AllResultsOptions {
  /** Only `success` or only `failed` items; all (pending ones excepted) when absent. */
  readonly outcome?: OutcomeFilter;
  /** Items per request (1..5000, default 1000). */
  readonly pageSize?: number;
}

export async function* allResults(client: BatchClient, containerType: string, batchId: string, options: AllResultsOptions = {}): AsyncGenerator<ResultItem> {
  let cursor: string | undefined;
  do {
    const page = await client.results(containerType, batchId, {
      limit: options.pageSize ?? 1000,
      ...(options.outcome === undefined ? {} : { outcome: options.outcome }),
      ...(cursor === undefined ? {} : { cursor }),
    });
    yield* page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
}
