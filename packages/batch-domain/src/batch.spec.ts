import { Batch } from './batch';
import { aBatch, aBatchId, T0 } from './testing';
import { expectErr, expectOk } from './testing';

describe('Batch', () => {
  it('starts QUEUED with every item pending', () => {
    const batch = aBatch({ total: 4 });
    expect(batch.status).toBe('QUEUED');
    expect(batch.counts).toEqual({ total: 4, success: 0, failed: 0, cancelled: 0, pending: 4 });
  });

  it('refuses a batch without items', () => {
    const result = Batch.submit({ id: aBatchId(), tenantId: 't', kind: 'k', targetType: 'x', operation: 'create', source: 'json', total: 0 }, T0);
    expectErr(result, 'VALIDATION_FAILED');
  });

  it('is IN_PROGRESS once started or once an outcome is recorded', () => {
    const started = aBatch();
    started.start(T0 + 1);
    expect(started.status).toBe('IN_PROGRESS');
    const recorded = aBatch();
    recorded.recordOutcomes(['success'], T0 + 2);
    expect(recorded.status).toBe('IN_PROGRESS');
    expect(recorded.toSnapshot().startedAt).toBe(T0 + 2);
  });

  it.each([
    [['success', 'success'], 'SUCCESS'],
    [['success', 'failed'], 'PARTIAL_SUCCESS'],
    [['failed', 'failed'], 'FAILED'],
  ] as const)('derives the final status from the counters: %j is %s', (kinds, status) => {
    const batch = aBatch({ total: 2 });
    batch.recordOutcomes(kinds, T0 + 5);
    expect(batch.status).toBe(status);
    expect(batch.isFinished).toBe(true);
    expect(batch.toSnapshot().completedAt).toBe(T0 + 5);
  });

  it('keeps success + failed + pending + cancelled == total at every step', () => {
    const batch = aBatch({ total: 5 });
    const sum = () => {
      const c = batch.counts;
      return c.success + c.failed + c.pending + c.cancelled;
    };
    expect(sum()).toBe(5);
    batch.recordOutcomes(['success', 'failed'], T0 + 1);
    expect(sum()).toBe(5);
    batch.cancel(T0 + 2);
    expect(sum()).toBe(5);
    expect(batch.counts).toEqual({ total: 5, success: 1, failed: 1, cancelled: 3, pending: 0 });
  });

  it('turns pending items into cancelled ones on cancel', () => {
    const batch = aBatch({ total: 3 });
    batch.recordOutcomes(['success'], T0 + 1);
    expectOk(batch.cancel(T0 + 2));
    expect(batch.status).toBe('CANCELLED');
    expect(batch.toSnapshot()).toMatchObject({ cancelled: 2, cancelledAt: T0 + 2, completedAt: T0 + 2 });
  });

  it('cannot be cancelled once finished', () => {
    const batch = aBatch({ total: 1 });
    batch.recordOutcomes(['failed'], T0 + 1);
    const result = batch.cancel(T0 + 2);
    expectErr(result, 'BATCH_NOT_CANCELLABLE');
    expect(batch.status).toBe('FAILED');
  });

  it('refuses more outcomes than pending items', () => {
    const batch = aBatch({ total: 1 });
    expect(() => batch.recordOutcomes(['success', 'success'], T0)).toThrow(/pending/);
    expect(batch.counts.pending).toBe(1);
  });

  it('refuses outcomes once cancelled', () => {
    const batch = aBatch({ total: 2 });
    batch.cancel(T0);
    expect(() => batch.recordOutcomes(['success'], T0)).toThrow(/finished/);
  });

  it('round-trips through its snapshot', () => {
    const batch = aBatch({ total: 3, createdBy: { id: 'u1' } });
    batch.recordOutcomes(['failed'], T0 + 3);
    expect(Batch.fromSnapshot(batch.toSnapshot()).toSnapshot()).toEqual(batch.toSnapshot());
  });

  it('rejects a snapshot whose counters exceed the total', () => {
    const snapshot = { ...aBatch({ total: 2 }).toSnapshot(), success: 2, failed: 1 };
    expect(() => Batch.fromSnapshot(snapshot)).toThrow(/exceed total/);
  });

  it('rejects a snapshot with negative counters', () => {
    expect(() => Batch.fromSnapshot({ ...aBatch().toSnapshot(), failed: -1 })).toThrow(/failed=-1/);
  });
});
