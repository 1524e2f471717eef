// Our answers must validate against the original service's schemas: we only add fields.
import { batchIdFromUuid } from '@container-service/batch-domain';
import { aBatch, outcomesFor, someItems } from '@container-service/batch-domain/testing';
import { CONTAINER_BATCH_KIND } from '@container-service/container-domain';
import { TypeOrmBatchSeeder } from '@container-service/persistence-typeorm/testing';
import { os1Schema } from './support/os1-schemas';
import { BASE, TestApp, startTestApp } from './support/test-app';

describe('compatibility with the original Container Service schemas', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const expectValid = (schema: Parameters<typeof os1Schema>[0], body: unknown) => {
    const validate = os1Schema(schema);
    const valid = validate(body);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  };

  it('a status answer is a ContainerBatchResponse, for JSON and file batches', async () => {
    const repository = new TypeOrmBatchSeeder(t.database);
    for (const [i, source] of (['json', 'file'] as const).entries()) {
      const batch = aBatch({ id: batchIdFromUuid(`0c000000-0000-4000-8000-00000000000${i}`), kind: CONTAINER_BATCH_KIND, targetType: 'bag', source, total: 3 });
      await repository.add(batch, someItems(3, { withRows: source === 'file' }));
      batch.recordOutcomes(['success', 'failed'], Date.now());
      await repository.recordOutcomes(batch, outcomesFor('SF'));
      const response = await t.request(`${BASE}/bag/batch/status?batchId=${batch.id}`, { headers: await t.headers() });
      expect(response.status).toBe(200);
      expectValid('ContainerBatchResponse', response.body);
      expectValid('Request', response.body.request);
    }
  });

  it.each([
    ['a missing header', async (t: TestApp) => t.request(`${BASE}/bag/batch/status`, { headers: { 'X-COREOS-REQUEST-ID': 'x' } })],
    ['a bad token', async (t: TestApp) => t.request(`${BASE}/bag/batch/status`, { headers: { ...(await t.headers()), 'X-COREOS-ACCESS': 'x' } })],
    ['a bad batch id', async (t: TestApp) => t.request(`${BASE}/bag/batch/status?batchId=1`, { headers: await t.headers() })],
    [
      'an unknown batch',
      async (t: TestApp) => t.request(`${BASE}/bag/batch/status?batchId=batch:0c000000-0000-4000-8000-0000000000ff`, { headers: await t.headers() }),
    ],
    ['an unknown route', async (t: TestApp) => t.request('/nowhere')],
    [
      'an invalid container type',
      async (t: TestApp) => t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), body: { name: '1' } }),
    ],
    ['a container type the tenant lacks', async (t: TestApp) => t.request(`${BASE}/container-types/ghost`, { headers: await t.headers() })],
  ])('an error answer for %s is an ErrorResponse that names its error', async (_what, send) => {
    const response = await send(t);
    expect(response.status).toBeGreaterThanOrEqual(400);
    expectValid('ErrorResponse', response.body);
    expect(response.body.error.additionalInfo.errorName).toMatch(/^[A-Z_]+$/);
  });

  it('the reference schema really rejects a wrong shape', () => {
    expect(os1Schema('ErrorResponse')({ error: { code: 1 } })).toBe(false);
    expect(os1Schema('ContainerBatchResponse')({ data: { meta: { success: 'x' } } })).toBe(false);
  });
});
