// What processing tells monitoring: items recorded by outcome, callback tries by outcome, and
// parts taken over from expired leases. The worker loop and the callback dispatcher report here
// as things happen (from the use cases' own reports); where the counts end up is the composition
// root's choice: this process's metrics, the API thread's (posted from the worker thread), or
// nowhere (metrics turned off).
import type { MessagePort } from 'node:worker_threads';

export interface WorkEvents {
  /** A chunk recorded the outcomes of `succeeded` + `failed` items. */
  itemsProcessed(succeeded: number, failed: number): void;
  /** A callback try was judged: delivered, or not (tries cut short by a stop are not reported). */
  callbackAttempted(delivered: boolean): void;
  /** A worker took a part of a batch over from a lease that had expired. */
  leaseTakenOver(): void;
}

export const NO_WORK_EVENTS: WorkEvents = {
  itemsProcessed: () => undefined,
  callbackAttempted: () => undefined,
  leaseTakenOver: () => undefined,
};

/** One event as the worker thread posts it to the API thread. */
export type WorkEventMessage =
  | { readonly workEvent: 'items'; readonly succeeded: number; readonly failed: number }
  | { readonly workEvent: 'callback'; readonly delivered: boolean }
  | { readonly workEvent: 'takeover' };

export function isWorkEventMessage(message: unknown): message is WorkEventMessage {
  return typeof message === 'object' && message !== null && 'workEvent' in message;
}

/** The worker thread's events, posted to the thread that serves /metrics. */
export function postedWorkEvents(port: Pick<MessagePort, 'postMessage'>): WorkEvents {
  const post = (message: WorkEventMessage) => port.postMessage(message);
  return {
    itemsProcessed: (succeeded, failed) => post({ workEvent: 'items', succeeded, failed }),
    callbackAttempted: (delivered) => post({ workEvent: 'callback', delivered }),
    leaseTakenOver: () => post({ workEvent: 'takeover' }),
  };
}

/** Counts a posted event where it arrived. */
export function replayWorkEvent(message: WorkEventMessage, events: WorkEvents): void {
  if (message.workEvent === 'items') events.itemsProcessed(message.succeeded, message.failed);
  else if (message.workEvent === 'callback') events.callbackAttempted(message.delivered);
  else events.leaseTakenOver();
}
