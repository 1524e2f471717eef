// What a callback announces (contract §5): tenant, type, batch, "success" when every item
// succeeded (else "failed"), a one-line reason, the submit's callback.meta, and the batch's
// BatchResponse as the status route shows it, progress included.
import { BatchReads, CallbackPayloads, Clock, DueCallback, STATUS_LIST_LIMIT } from '@container-service/batch-domain';
import { presentBatchStatus } from '../batches/batch-response.presenter';

export class StatusCallbackPayloads implements CallbackPayloads {
  constructor(
    private readonly batches: BatchReads,
    private readonly clock: Clock,
  ) {}

  async payloadFor(due: DueCallback): Promise<unknown> {
    const view = await this.batches.findStatus(due.locator, STATUS_LIST_LIMIT);
    if (view === null) return null;
    const batch = view.batch;
    const { total, failed, cancelled, success } = batch.counts;
    const status = batch.status === 'SUCCESS' ? 'success' : 'failed';
    const reason =
      batch.status === 'SUCCESS'
        ? `all ${total} items succeeded`
        : batch.status === 'CANCELLED'
          ? `the batch was cancelled: ${success} of ${total} items succeeded, ${failed} failed, ${cancelled} were not processed`
          : `${failed} of ${total} items failed`;
    const data = presentBatchStatus({
      batch: batch.toSnapshot(),
      status: batch.status,
      pending: batch.counts.pending,
      failures: view.failures,
      successes: view.successes,
      hasMore: view.hasMore,
      progress: batch.progressAt(this.clock.now()),
    });
    return {
      tenantId: due.locator.tenantId,
      containerType: due.locator.targetType,
      batchId: due.locator.batchId,
      status,
      reason,
      meta: due.target.meta ?? null,
      data,
    };
  }
}
