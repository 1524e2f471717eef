// Following a batch to its end, shared by watch and by the submitting commands' --wait, --watch
// and --failed-out: the progress view from the event stream, or the status long poll; then the
// summary, the failed rows if asked, and the exit code the outcome means.
import { batchEvents, waitForBatch } from '@container-service/client';
import type { BatchClient, BatchMeta } from '@container-service/client';
import { exitCodeFor, summaryLine } from '../batch-report';
import { writeStreamToFile } from '../files';
import type { Io } from '../io';
import { writeLine } from '../io';
import { progressView } from '../progress-view';

export interface FollowOptions {
  /** Live progress from the event stream (a bar on a terminal, lines otherwise). */
  readonly watch?: boolean;
  /** Where to write the failed rows (CSV, ready to fix and upload again) once the batch is done. */
  readonly failedOut?: string;
}

export async function follow(io: Io, client: BatchClient, containerType: string, batchId: string, options: FollowOptions): Promise<number> {
  let final: BatchMeta | null = null;
  if (options.watch === true) {
    const view = progressView(io.stdout);
    try {
      for await (const event of batchEvents(client, containerType, batchId)) {
        view.update(event.meta);
        if (event.type === 'done') final = event.meta;
      }
    } finally {
      view.stop();
    }
  }
  final ??= (await waitForBatch(client, containerType, batchId)).meta;
  writeLine(io.stdout, summaryLine(final));
  if (options.failedOut !== undefined) await writeFailedRows(io, client, final, options.failedOut);
  return exitCodeFor(final);
}

async function writeFailedRows(io: Io, client: BatchClient, meta: BatchMeta, file: string): Promise<void> {
  if (meta.failed === 0) {
    writeLine(io.stdout, `no failed items: ${file} not written`);
    return;
  }
  await writeStreamToFile(await client.resultsCsv(meta.containerType, meta.batchId, { outcome: 'failed' }), file);
  writeLine(io.stdout, `${String(meta.failed)} failed rows written to ${file}`);
}
