// Hostile attribute values over HTTP (contract §13): CSV cells nested far too deep and strings
// past their bound fail as their own item, in bounded time, while the rest of the batch goes on.
// A deep cell used to make JSON.stringify throw outside the per-item rules, rolling back its
// chunk and retrying it for ever while the good rows never ran.
import { acceptedId } from './support/answers';
import { finalStatus } from './support/final-status';
import { BASE, TestApp, TestResponse, csvForm, startTestApp } from './support/test-app';

/** A CSV cell: the text quoted, its quotes doubled. */
const cell = (text: string) => `"${text.replace(/"/g, '""')}"`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('Hostile attribute values over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true', WORKER_CHUNK_SIZE: '50' });
    const response = await t.request(`${BASE}/container-types`, {
      method: 'POST',
      headers: await t.headers(),
      body: {
        name: 'crate',
        attributes: [
          { name: 'dims', dataType: 'object' },
          { name: 'tags', dataType: 'array' },
          { name: 'note', dataType: 'string' },
          { name: 'essay', dataType: 'string', validation: { range: { max: 20_000 } } },
        ],
      },
    });
    expect(response.status).toBe(202);
  });
  afterAll(async () => {
    await t.close();
  });

  const untilFinal = async (batchId: string): Promise<TestResponse> => finalStatus(t, 'crate', batchId, { timeoutMs: 20_000 });

  it('fails each row with a cell nested deeper than 64 levels alone; the good rows of its chunk succeed', async () => {
    const csv = [
      'refID,trackingDetails,attributes.dims,attributes.tags',
      `good-1,,${cell('{"h":{"w":[1,2]}}')},`,
      `dims-65,,${cell(deepObject(65))},`,
      `dims-20000,,${cell(deepObject(20_000))},`,
      `tags-20000,,,${cell(deepArray(20_000))}`,
      `tracking-20000,${cell(deepArray(20_000))},,`,
      `tags-64,,,${cell(deepArray(64))}`,
      'good-2,,,',
    ].join('\n');
    const submitted = await t.request(`${BASE}/crate/batch/upload`, { method: 'POST', headers: await t.headers(), form: csvForm(csv) });
    const final = await untilFinal(acceptedId(submitted));
    expect(final.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 3, failed: 4 });
    expect(final.body.data.errors).toEqual([
      { refID: 'dims-65', row: 3, code: 'ATTRIBUTE_INVALID', reason: "attribute 'dims' must be JSON nested at most 64 levels deep" },
      { refID: 'dims-20000', row: 4, code: 'ATTRIBUTE_INVALID', reason: "attribute 'dims' must be JSON nested at most 64 levels deep" },
      { refID: 'tags-20000', row: 5, code: 'ATTRIBUTE_INVALID', reason: "attribute 'tags' must be JSON nested at most 64 levels deep" },
      { refID: 'tracking-20000', row: 6, code: 'ITEM_INVALID', reason: 'trackingDetails must not nest deeper than 64 levels' },
    ]);
    expect(final.body.data.success.map((s: { refID: string }) => s.refID)).toEqual(['good-1', 'tags-64', 'good-2']);
  });

  it('bounds string values: 4 096 characters, or what range.max allows', async () => {
    const payload = [
      { refID: 'note-4096', attributes: { note: 'n'.repeat(4096) } },
      { refID: 'note-4097', attributes: { note: 'n'.repeat(4097) } },
      { refID: 'essay-20000', attributes: { essay: 'e'.repeat(20_000) } },
      { refID: 'essay-20001', attributes: { essay: 'e'.repeat(20_001) } },
    ];
    const submitted = await t.request(`${BASE}/crate/batch`, { method: 'POST', headers: await t.headers(), body: { payload } });
    const final = await untilFinal(acceptedId(submitted));
    expect(final.body.data.errors).toEqual([
      { refID: 'note-4097', code: 'ATTRIBUTE_INVALID', reason: "attribute 'note' must be at most 4096 characters (range.max may allow up to 65536)" },
      { refID: 'essay-20001', code: 'ATTRIBUTE_INVALID', reason: "attribute 'essay' length must be at most 20000" },
    ]);
    expect(final.body.data.success.map((s: { refID: string }) => s.refID)).toEqual(['note-4096', 'essay-20000']);
  });
});
