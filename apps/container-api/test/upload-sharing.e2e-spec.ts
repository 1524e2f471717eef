// A big upload shares the request thread (ADR 0026): while its rows are parsed and stored, the
// event loop turns every few milliseconds, so other requests are answered during the upload, not
// after it. Measured as the longest time the loop went without a turn (the app runs in this
// process) and as the order of the answers, not as wall-clock latency, which a busy machine blurs.
import { performance } from 'node:perf_hooks';
import { acceptedId, expectStatus } from './support/answers';
import { defineType } from './support/container-types';
import { BASE, TestApp, csvForm, startTestApp } from './support/test-app';

const ROWS = 40_000;

describe('An upload being received', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'false', UPLOAD_MAX_ROWS: String(ROWS) });
    await defineType(t, { name: 'bag' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('lets the event loop turn every few milliseconds while its rows are stored, and other requests are answered before its 202', async () => {
    const lines = ['refID,scannableId'];
    for (let i = 0; i < ROWS; i++) lines.push(`r-${i},S-${i}`);
    const form = csvForm(lines.join('\n'));
    const headers = await t.headers('acme');
    const small = acceptedId(await t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers, form: csvForm('refID\nonly-1') }));

    // The longest stretch without a turn of the loop, from the upload's first byte to its answer.
    let longest = 0;
    let last = performance.now();
    let probing = true;
    const probe = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      if (probing) setImmediate(probe);
    };
    const order: string[] = [];
    const started = performance.now();
    const uploading = t.request(`${BASE}/bag/batch/upload`, { method: 'POST', headers, form }).then((answer) => {
      order.push('202');
      return answer;
    });
    setImmediate(probe);
    // Another client reads a status again and again while the file comes in.
    const reads = (async () => {
      let answered = 0;
      while (!order.includes('202')) {
        const read = await t.request(`${BASE}/bag/batch/upload/status?batchId=${small}`, { headers });
        expectStatus(read, 200);
        if (!order.includes('202')) order.push('read');
        answered++;
      }
      return answered;
    })();
    const answer = await uploading;
    probing = false;
    await reads;
    const took = performance.now() - started;

    expectStatus(answer, 202);
    // Reads kept being answered all through the upload (each is a few turns of the loop)...
    expect(order.filter((entry) => entry === 'read').length).toBeGreaterThan(10);
    // ...and no stretch without a turn came near the upload's own length. (Slices are 4 ms; a
    // bound in milliseconds would fail on a busy machine that takes the core away for a while.)
    expect(longest).toBeLessThan(took / 4);
  }, 120_000);
});
