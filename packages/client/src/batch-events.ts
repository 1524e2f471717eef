// batchEvents(): a batch's live progress (contract §3.2) as typed events. The service sends the
// batch's current meta first on every connection, so a dropped stream is resumed by connecting
// again: nothing is lost but the events in between, which only repeat counters. It sends no
// event ids today; when it does, the last one goes back as Last-Event-ID.
import { ApiError, ConnectionError } from './api-error';
import type { BatchClient } from './batch-client';
import { parseEventStream } from './event-stream-parser';
import type { BatchMeta } from './types';

export type BatchEvent = { readonly type: 'progress'; readonly meta: BatchMeta } | { readonly type: 'done'; readonly meta: BatchMeta };

export interface BatchEventsOptions {
  readonly signal?: AbortSignal;
  /** Connections tried in a row after a drop before giving up (default 5); an event resets the count. */
  readonly reconnectAttempts?: number;
  /** Pause before connecting again (default 1000 ms). */
  readonly reconnectDelayMs?: number;
}

/**
 * The batch's `progress` events, then one `done` with the final meta, then the end. Drops of the
 * connection (and 503 answers) are retried; any other error answer is thrown as ApiError.
 */
export async function* batchEvents(client: BatchClient, containerType: string, batchId: string, options: BatchEventsOptions = {}): AsyncGenerator<BatchEvent> {
  const attempts = options.reconnectAttempts ?? 5;
  const delayMs = options.reconnectDelayMs ?? 1000;
  let lastEventId: string | undefined;
  let failures = 0;
  for (;;) {
    let lastError: Error | null = null;
    try {
      const stream = await client.eventStream(containerType, batchId, {
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        ...(lastEventId === undefined ? {} : { lastEventId }),
      });
      for await (const message of parseEventStream(stream)) {
        if (message.lastEventId !== null) lastEventId = message.lastEventId;
        if (message.event !== 'progress' && message.event !== 'done') continue;
        failures = 0;
        const meta = JSON.parse(message.data) as BatchMeta;
        yield { type: message.event, meta };
        if (message.event === 'done') return;
      }
      // The stream ended without `done`: the service went away (a restart, a proxy's timeout).
    } catch (error) {
      if (options.signal?.aborted === true || !isTransient(error)) throw error;
      // isTransient() holds only for Error instances.
      lastError = error as Error;
    }
    if (options.signal?.aborted === true) return;
    failures += 1;
    if (failures > attempts) {
      throw lastError ?? new ConnectionError(client.baseUrl, `the event stream ended ${String(failures)} times in a row before the batch finished`);
    }
    await sleep(delayMs, options.signal);
  }
}

/** Worth connecting again: no answer, a broken stream, or a service that says it is unavailable. */
function isTransient(error: unknown): boolean {
  if (error instanceof ApiError) return error.status === 503;
  // ConnectionError, or the body stream breaking midway (a TypeError from fetch).
  return error instanceof ConnectionError || error instanceof TypeError;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
