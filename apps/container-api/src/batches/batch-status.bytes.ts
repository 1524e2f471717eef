// A status answer as what is sent (ADR 0027). The lists the store's cache of result heads holds
// (ADR 0011, ADR 0033: a finished batch's for good, a running batch's while its counts stay) come
// frozen, as the same array objects read after read: each such list's JSON is kept beside it as
// bytes, keyed by the array itself, and so is the last whole answer made over such a pair of
// lists. A read whose meta and echo serialise to those of that answer is sent the same Buffer:
// nothing is concatenated or encoded for it (the meta and the echo are still serialised, to
// compare). Both live exactly as long as the cache holds the list. An answer is kept only while
// its meta and echo are no bigger than its lists, so that it costs at most twice its lists' bytes
// (a small batch read through a long URL is answered afresh each time instead). An answer is made
// from its meta, its echo and its two lists alone, and is reused only when all four are the same
// (the lists by identity), so no answer can carry another batch's (or tenant's) entries. Lists
// read afresh (a running batch where reads may see uncommitted outcomes, or the cache turned
// off) are new arrays on every read: their answer is text made once, as before.
import type { BatchStatusReport, FailureResult, SuccessResult } from '@container-service/batch-domain';
import type { FastifyRequest } from 'fastify';
import { echoRequest } from '../http/envelope';
import { presentFailures, presentReportMeta, presentSuccesses } from './batch-response.presenter';

const listBytes = new WeakMap<readonly object[], Buffer>();

function bytesOf<T extends object>(list: readonly T[], present: (list: readonly T[]) => unknown): Buffer {
  let bytes = listBytes.get(list);
  if (bytes === undefined) {
    bytes = Buffer.from(JSON.stringify(present(list)));
    listBytes.set(list, bytes);
  }
  return bytes;
}

/** The last answer made over a successes list, with everything else it was made from. */
interface Answer {
  readonly failures: readonly FailureResult[];
  readonly meta: string;
  readonly echo: string;
  readonly bytes: Buffer;
}

const answers = new WeakMap<readonly SuccessResult[], Answer>();

const BETWEEN_LISTS = ',"success":';

/**
 * `{data: {meta, errors, success}, request}` as sent: the UTF-8 bytes, or the text of lists read
 * afresh; what successEnvelope(request, presentBatchStatus(report)) serialises to.
 */
export function batchStatusAnswer(request: FastifyRequest, report: BatchStatusReport): Buffer | string {
  const meta = JSON.stringify(presentReportMeta(report));
  const echo = JSON.stringify(echoRequest(request));
  if (!Object.isFrozen(report.successes) || !Object.isFrozen(report.failures)) {
    const lists = `${JSON.stringify(presentFailures(report.failures))}${BETWEEN_LISTS}${JSON.stringify(presentSuccesses(report.successes))}`;
    return `{"data":{"meta":${meta},"errors":${lists}},"request":${echo}}`;
  }
  const last = answers.get(report.successes);
  if (last !== undefined && last.failures === report.failures && last.meta === meta && last.echo === echo) return last.bytes;
  const errors = bytesOf(report.failures, presentFailures);
  const success = bytesOf(report.successes, presentSuccesses);
  const head = `{"data":{"meta":${meta},"errors":`;
  const tail = `},"request":${echo}}`;
  // Kept while its lists are: not a slice of the shared pool, which it would hold on to.
  const bytes = Buffer.allocUnsafeSlow(Buffer.byteLength(head) + errors.length + BETWEEN_LISTS.length + success.length + Buffer.byteLength(tail));
  let at = bytes.write(head, 0);
  at += errors.copy(bytes, at);
  at += bytes.write(BETWEEN_LISTS, at);
  at += success.copy(bytes, at);
  bytes.write(tail, at);
  if (meta.length + echo.length <= errors.length + success.length) answers.set(report.successes, { failures: report.failures, meta, echo, bytes });
  else answers.delete(report.successes);
  return bytes;
}
