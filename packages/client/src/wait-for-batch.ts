// waitForBatch(): follows a batch to its end with the status route's long poll (`?wait=N`,
// contract §3): one request per N seconds while it runs, and the answer as soon as it finishes.
import type { BatchClient } from './batch-client';
import { isFinished } from './types';
import type { BatchResponse } from './types';

export interface WaitOptions {
  /** Seconds each long poll may wait (1..30, default 30). */
  readonly waitSeconds?: number;
  readonly signal?: AbortSignal;
  /** Called with each answer that is not the final one. */
  readonly onProgress?: (answer: BatchResponse) => void;
}

/** The batch's final answer (SUCCESS, PARTIAL_SUCCESS, FAILED or CANCELLED). */
export async function waitForBatch(client: BatchClient, containerType: string, batchId: string, options: WaitOptions = {}): Promise<BatchResponse> {
  const wait = Math.min(30, Math.max(1, Math.trunc(options.waitSeconds ?? 30)));
  for (;;) {
    const answer = await client.status(containerType, batchId, { wait, ...(options.signal === undefined ? {} : { signal: options.signal }) });
    if (isFinished(answer.meta)) return answer;
    options.onProgress?.(answer);
  }
}
