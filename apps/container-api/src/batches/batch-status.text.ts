// A status answer as the text that is sent, with its result lists serialised once per list
// rather than on every read (ADR 0027). A batch's lists come from the store's cache of result heads
// (ADR 0011, ADR 0033: a finished batch's for good, a running batch's while its counts stay) as the
// same array objects read after read, so their JSON text is kept beside them, keyed by the array
// itself: it lives exactly as long as the cache holds the list, within the cache's bound, and a list
// only ever yields its own text, so no answer can carry another batch's (or tenant's) entries. A
// list array is never changed once read, so text made from it stays right; lists read afresh are
// new arrays, serialised once each. The text is byte for byte what serialising the whole envelope gives.
import type { BatchStatusReport, FailureResult, SuccessResult } from '@container-service/batch-domain';
import type { FastifyRequest } from 'fastify';
import { echoRequest } from '../http/envelope';
import { presentFailures, presentReportMeta, presentSuccesses } from './batch-response.presenter';

const failureTexts = new WeakMap<readonly FailureResult[], string>();
const successTexts = new WeakMap<readonly SuccessResult[], string>();

function textOf<T extends object>(texts: WeakMap<readonly T[], string>, list: readonly T[], present: (list: readonly T[]) => unknown): string {
  let text = texts.get(list);
  if (text === undefined) {
    text = JSON.stringify(present(list));
    texts.set(list, text);
  }
  return text;
}

/** `{data: {meta, errors, success}, request}` as JSON text: what successEnvelope(request, presentBatchStatus(report)) serialises to. */
export function batchStatusText(request: FastifyRequest, report: BatchStatusReport): string {
  const errors = textOf(failureTexts, report.failures, presentFailures);
  const success = textOf(successTexts, report.successes, presentSuccesses);
  return `{"data":{"meta":${JSON.stringify(presentReportMeta(report))},"errors":${errors},"success":${success}},"request":${JSON.stringify(echoRequest(request))}}`;
}
