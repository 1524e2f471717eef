// The batch domain knows nothing of what it batches: here it tracks a batch of participant
// registrations, a kind another service would bring, through the same use case and fakes.
import { Batch } from './batch';
import { GetBatchStatus } from './get-batch-status.use-case';
import { FixedClock, InMemoryBatchRepository, SequentialIdGenerator, StaticAccessVerifier, T0 } from './testing';
import { expectOk } from './testing';
import { batchIdFromUuid } from './batch-id';

describe('a batch of participant registrations', () => {
  it('is stored, progressed and reported without any knowledge of its items', async () => {
    const repository = new InMemoryBatchRepository();
    const access = new StaticAccessVerifier().grant('t', 'shipper-7');
    const id = batchIdFromUuid(new SequentialIdGenerator().uuid());
    const batch = expectOk(
      Batch.submit({ id, tenantId: 'shipper-7', kind: 'participant', targetType: 'carrier', operation: 'create', source: 'file', total: 2 }, T0),
    );
    await repository.add(batch, [
      { refId: 'P-1', row: 2, input: { legalName: 'Swift Freight', gstin: '29ABCDE1234F2Z5' } },
      { refId: 'P-2', row: 3, input: { legalName: '', gstin: 'bad' } },
    ]);
    batch.recordOutcomes(['success', 'failed'], T0 + 10);
    await repository.recordOutcomes(batch, [
      { seq: 0, kind: 'success', resultId: 'participant:77' },
      { seq: 1, kind: 'failed', reason: 'legalName must not be empty', code: 'PARTICIPANT_INVALID' },
    ]);

    const status = new GetBatchStatus(
      repository,
      access,
      {
        kind: 'participant',
        targetType: { parameter: 'participantType', description: 'must be a word', test: (n) => /^\w+$/.test(n) },
      },
      new FixedClock(T0 + 10),
    );
    const result = await status.execute({ accessToken: 't', tenantId: 'shipper-7', targetType: 'carrier', batchId: id });

    expect(expectOk(result).status).toBe('PARTIAL_SUCCESS');
    expect(expectOk(result).failures).toEqual([
      { seq: 1, refId: 'P-2', row: 3, outcome: 'failed', reason: 'legalName must not be empty', code: 'PARTICIPANT_INVALID' },
    ]);
    expect(expectOk(result).successes[0]?.resultId).toBe('participant:77');
  });
});
