// Hostile attribute regexes over HTTP (contract §9, §13): a pattern is judged at config time
// without stalling the process, a pattern that cannot be matched in linear time is refused with
// 400, and items with hostile values against polynomial patterns are judged in bounded time.
import { acceptedId, expectEnvelopeError } from './support/answers';
import { finalStatus } from './support/final-status';
import { BASE, TestApp, TestResponse, startTestApp } from './support/test-app';

describe('Hostile attribute regexes over HTTP', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ WORKER_ENABLED: 'true', WORKER_CHUNK_SIZE: '50' });
  });
  afterAll(async () => {
    await t.close();
  });

  const defineType = async (body: unknown, method = 'POST', path = `${BASE}/container-types`) => t.request(path, { method, headers: await t.headers(), body });

  /** Runs `work` while probing /health back to back; answers with the work's result and the slowest probe. */
  async function whileProbingHealth<T>(work: () => Promise<T>): Promise<{ result: T; elapsedMs: number; slowestProbeMs: number }> {
    let done = false;
    let slowestProbeMs = 0;
    const probes = (async () => {
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set once `work` settles, while this loop awaits
      while (!done) {
        const start = Date.now();
        expect((await t.request('/health')).status).toBe(200);
        slowestProbeMs = Math.max(slowestProbeMs, Date.now() - start);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const start = Date.now();
    const result = await work();
    const elapsedMs = Date.now() - start;
    done = true;
    await probes;
    return { result, elapsedMs, slowestProbeMs };
  }

  // '[^]' fooled the old static guard, and a 29-character default then held the event loop for
  // seconds, /health included. Each route gets its own letter: a backtracking engine runs a
  // pattern it has seen before faster, which would hide the stall.
  const hostile = (letter: string) => ({
    name: 'code',
    dataType: 'string',
    defaultValue: `${letter.repeat(28)}!`,
    validation: { regex: `^[^](${letter}+)+$` },
  });

  it.each([
    ['POST /container-types', 'a', 'POST', `${BASE}/container-types`, { name: 'hostile', attributes: [hostile('a')] }],
    ['PUT .../config/attributes', 'b', 'PUT', `${BASE}/container-types/plain/config/attributes`, { attributes: [hostile('b')] }],
  ])('judges a catastrophic pattern with a hostile default on %s in milliseconds, /health answering throughout', async (_route, letter, method, path, body) => {
    if (method === 'PUT') expect((await defineType({ name: 'plain' })).status).toBe(202);
    const { result, elapsedMs, slowestProbeMs } = await whileProbingHealth(() => defineType(body, method, path));
    expectEnvelopeError(result, 400, 'VALIDATION_FAILED');
    expect(result.body.error.additionalInfo.violations).toEqual([
      { path: 'attributes[0].defaultValue', message: `fails its own rules: attribute 'code' must match ^[^](${letter}+)+$` },
    ]);
    expect(elapsedMs).toBeLessThan(2000);
    expect(slowestProbeMs).toBeLessThan(1000);
  });

  it.each([
    ['a backreference', '(a)\\1', /backreference/],
    ['a lookbehind', '(?<=x)a', /lookahead or lookbehind/],
    ['invalid syntax', '(a', /not a valid regular expression/],
    ['a repeat count too large', 'a{5000}', /more than 1000 times/],
  ])('refuses %s with 400 VALIDATION_FAILED and a clear violation', async (_what, regex, message) => {
    const response = await defineType({ name: 'refused', attributes: [{ name: 'code', dataType: 'string', validation: { regex } }] });
    expectEnvelopeError(response, 400, 'VALIDATION_FAILED');
    expect(response.body.error.additionalInfo.violations).toEqual([{ path: 'attributes[0].validation.regex', message: expect.stringMatching(message) }]);
  });

  it('accepts a pattern that made the old checker throw (a 503), since it is safe', async () => {
    expect((await defineType({ name: 'oddclass', attributes: [{ name: 'code', dataType: 'string', validation: { regex: '[]([^\\]])' } }] })).status).toBe(202);
  });

  it('refuses a string range.max over 65 536 at config time', async () => {
    const response = await defineType({ name: 'toolong', attributes: [{ name: 'note', dataType: 'string', validation: { range: { max: 100_000 } } }] });
    expect(response.status).toBe(400);
    expect(response.body.error.additionalInfo.violations[0].path).toBe('attributes[0].validation.range.max');
  });

  const untilFinal = async (type: string, batchId: string): Promise<TestResponse> => finalStatus(t, type, batchId, { timeoutMs: 20_000 });

  it('judges hostile values against polynomial patterns in bounded time, each item on its own', async () => {
    // A backtracking engine takes time growing as the fourth power of the length here: 400
    // digits took 142 s; 4 096 digits, the longest value allowed, would take months.
    expect(
      (
        await defineType({
          name: 'poly',
          attributes: [
            { name: 'code', dataType: 'string', validation: { regex: '\\d*\\d*\\d*\\d*!' } },
            { name: 'words', dataType: 'string', validation: { regex: '^(\\w+\\s?)*$' } },
          ],
        })
      ).status,
    ).toBe(202);
    const payload = [
      { refID: 'digits-200', attributes: { code: '1'.repeat(200) } },
      { refID: 'digits-4096', attributes: { code: '1'.repeat(4096) } },
      { refID: 'words-4096', attributes: { words: `${'ab '.repeat(1365)}!` } },
      { refID: 'too-long', attributes: { code: `${'1'.repeat(4096)}!` } },
      { refID: 'matches', attributes: { code: `${'1'.repeat(4095)}!`, words: 'hello world' } },
    ];
    const { result, elapsedMs, slowestProbeMs } = await whileProbingHealth(async () => {
      const submitted = await t.request(`${BASE}/poly/batch`, { method: 'POST', headers: await t.headers(), body: { payload } });
      return untilFinal('poly', acceptedId(submitted));
    });
    expect(result.body.data.meta).toMatchObject({ status: 'PARTIAL_SUCCESS', success: 1, failed: 4 });
    expect(result.body.data.errors).toEqual([
      { refID: 'digits-200', code: 'ATTRIBUTE_INVALID', reason: "attribute 'code' must match \\d*\\d*\\d*\\d*!" },
      { refID: 'digits-4096', code: 'ATTRIBUTE_INVALID', reason: "attribute 'code' must match \\d*\\d*\\d*\\d*!" },
      { refID: 'words-4096', code: 'ATTRIBUTE_INVALID', reason: "attribute 'words' must match ^(\\w+\\s?)*$" },
      { refID: 'too-long', code: 'ATTRIBUTE_INVALID', reason: "attribute 'code' must be at most 4096 characters (range.max may allow up to 65536)" },
    ]);
    expect(result.body.data.success.map((s: { refID: string }) => s.refID)).toEqual(['matches']);
    expect(elapsedMs).toBeLessThan(5000);
    expect(slowestProbeMs).toBeLessThan(1000);
  });
});
