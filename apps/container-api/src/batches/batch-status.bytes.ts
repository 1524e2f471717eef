// A status answer as the bytes that are sent (ADR 0027). A batch's lists come from the store's
// cache of result heads (ADR 0011, ADR 0033: a finished batch's for good, a running batch's while
// its counts stay) as the same array objects read after read, so each list's JSON is kept beside
// it as bytes, keyed by the array itself, and so is the last whole answer made over a pair of
// lists: a read whose meta and echo are those of that answer is sent the same bytes, with nothing
// serialised, encoded or allocated for it. Both live exactly as long as the cache holds the list,
// within the cache's bound. An answer is made from its meta, its echo and its two lists alone, and
// is reused only when all four are the same (the lists by identity), so no answer can carry another
// batch's (or tenant's) entries. A list array is never changed once read, so bytes made from it
// stay right; lists read afresh are new arrays. The bytes are those of the serialised envelope.
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

/** `{data: {meta, errors, success}, request}` as UTF-8: what successEnvelope(request, presentBatchStatus(report)) serialises to. */
export function batchStatusBytes(request: FastifyRequest, report: BatchStatusReport): Buffer {
  const meta = JSON.stringify(presentReportMeta(report));
  const echo = JSON.stringify(echoRequest(request));
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
  answers.set(report.successes, { failures: report.failures, meta, echo, bytes });
  return bytes;
}
