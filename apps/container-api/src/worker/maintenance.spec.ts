import { A_KIND, FixedClock, InMemoryBatchRepository, T0, aBatch, aBatchId, someItems, storeBatch } from '@container-service/batch-domain/testing';
import { maintenanceStep } from './maintenance';

const DAY = 24 * 3_600_000;

describe('maintenanceStep', () => {
  it('removes abandoned uploads, then old submission keys, then batches past retention, one step per call', async () => {
    const batches = new InMemoryBatchRepository();
    const clock = new FixedClock(T0);
    await storeBatch(batches, 'SF', { id: aBatchId(1) }, T0);
    await batches.add(aBatch({ id: aBatchId(2), total: 1 }, T0), someItems(1), { submission: { key: 'req-1', fingerprint: 'f' } });
    const intake = await batches.beginIntake({ tenantId: 'acme', kind: A_KIND, batchId: aBatchId(3), targetType: 'parcel', expiresAt: T0 + 1000 });
    await intake.append(someItems(2), T0 + 1000);
    const step = maintenanceStep(batches, { batchDays: 7, submitKeyHours: 24 });

    expect(await step(T0 + 2000)).toBe(3); // the upload: two items and its row
    expect(await step(T0 + 2000)).toBe(0); // keys and batches are young
    clock.advance(DAY + 1);
    expect(await step(T0 + DAY + 1)).toBe(1); // the key
    expect(await step(T0 + DAY + 1)).toBe(0);
    expect(await step(T0 + 8 * DAY)).toBe(3); // batch 1: two items and its row
    expect(await step(T0 + 8 * DAY)).toBe(0); // batch 2 never finished
    expect(await batches.findStatus({ tenantId: 'acme', kind: A_KIND, targetType: 'parcel', batchId: aBatchId(2) }, 10)).not.toBeNull();
  });
});
