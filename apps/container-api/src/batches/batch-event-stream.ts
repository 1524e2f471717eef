// The event stream of one batch (contract §3.2) as text/event-stream: `progress` with the meta at
// once and whenever the counters change, `done` with the final meta, then the end; a comment line
// every 15 s so that idle connections stay open. It follows the batch through BatchWatches, so
// its reads are shared with every other follower of the batch in this process.
import { BatchLocator, BatchStatusReport } from '@container-service/batch-domain';
import { Readable } from 'node:stream';
import { BatchMetaJson, presentReportMeta } from './batch-response.presenter';
import { BatchWatches } from './batch-watches';

export const KEEP_ALIVE_MS = 15_000;

const event = (name: 'progress' | 'done', meta: BatchMetaJson): string => `event: ${name}\ndata: ${JSON.stringify(meta)}\n\n`;
/** What a progress event is sent for: the counters and the status, not the rate, which moves with every read. */
const countersOf = (r: BatchStatusReport): string => `${r.status}/${r.batch.success}/${r.batch.failed}/${r.batch.cancelled}`;

/** The stream of `first`'s batch; it ends when the batch finishes, the client goes away or the app stops. */
export function batchEventStream(watches: BatchWatches, locator: BatchLocator, first: BatchStatusReport, keepAliveMs = KEEP_ALIVE_MS): Readable {
  // Nothing to pull: events are pushed as reads come in; a slow client buffers at most a few metas.
  const stream = new Readable({ read: () => {} });
  let sent = countersOf(first);
  stream.push(event('progress', presentReportMeta(first)));
  if (first.pending === 0) {
    stream.push(event('done', presentReportMeta(first)));
    stream.push(null);
    return stream;
  }
  const keepAlive = setInterval(() => stream.push(': keep-alive\n\n'), keepAliveMs);
  let ended = false;
  let leave: () => void = () => {};
  const end = () => {
    if (ended) return;
    ended = true;
    clearInterval(keepAlive);
    leave();
    stream.push(null);
  };
  leave = watches.follow(locator, {
    seen: (report) => {
      if (ended) return;
      // Deleted meanwhile: nothing more will come.
      if (report === null) {
        end();
        return;
      }
      if (report.pending === 0) {
        stream.push(event('done', presentReportMeta(report)));
        end();
        return;
      }
      const counters = countersOf(report);
      if (counters === sent) return;
      sent = counters;
      stream.push(event('progress', presentReportMeta(report)));
    },
    stop: () => end(),
  });
  // The client went away (the server destroys the stream): stop following at once.
  stream.once('close', () => {
    ended = true;
    clearInterval(keepAlive);
    leave();
  });
  return stream;
}
