// GET batch status over HTTP against the real app and a real SQLite file: every header, token,
// query and existence rule of the contract (§1-§3, §6), and the 200 body in every status.
import { Batch, BatchId, batchIdFromUuid } from '@container-service/batch-domain';
import { aBatch, outcomesFor, someItems } from '@container-service/batch-domain/testing';
import { CONTAINER_BATCH_KIND } from '@container-service/container-domain';
import { TypeOrmBatchRepository } from '@container-service/persistence-typeorm';
import { TypeOrmBatchSeeder } from '@container-service/persistence-typeorm/testing';
import { SignJWT, UnsecuredJWT } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import { Answer, expectEnvelopeError } from './support/answers';
import { BASE, TEST_SECRET, TestApp, startTestApp } from './support/test-app';

let n = 0;
const freshId = (): BatchId => batchIdFromUuid(`0e2e0000-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`);

describe('GET batch status over HTTP', () => {
  let t: TestApp;
  let repository: TypeOrmBatchSeeder;

  beforeAll(async () => {
    t = await startTestApp();
    repository = new TypeOrmBatchSeeder(t.database);
  });
  afterAll(async () => {
    await t.close();
  });

  /** Stores a batch of type bag for acme and plays `plan` ('S' success, 'F' failed, '.' pending). */
  async function seed(plan: string, overrides: Partial<Parameters<typeof aBatch>[0]> = {}, then?: (batch: Batch) => Promise<void>): Promise<Batch> {
    const batch = aBatch(
      { id: freshId(), tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', total: plan.length, ...overrides },
      1_700_000_000_000,
    );
    await repository.add(batch, someItems(plan.length, { withRows: batch.toSnapshot().source === 'file' }));
    const outcomes = outcomesFor(plan);
    if (outcomes.length > 0) {
      batch.recordOutcomes(
        outcomes.map((o) => o.kind),
        1_700_000_001_000,
      );
      await repository.recordOutcomes(batch, outcomes);
    }
    if (then) await then(batch);
    return batch;
  }

  const statusOf = async (batchId: string, headers?: Record<string, string | undefined>, type = 'bag', route = 'batch/status') =>
    t.request(`${BASE}/${type}/${route}?batchId=${encodeURIComponent(batchId)}`, { headers: headers ?? (await t.headers()) });

  describe('the 200 answer', () => {
    it('reports a QUEUED batch, with Retry-After: 1', async () => {
      const batch = await seed('...');
      const response = await statusOf(batch.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.body.data).toEqual({
        meta: {
          status: 'QUEUED',
          success: 0,
          failed: 0,
          total: 3,
          batchId: batch.id,
          containerType: 'bag',
          operation: 'create',
          source: 'json',
          pending: 3,
          cancelled: 0,
          createdAt: 1_700_000_000_000,
          startedAt: null,
          completedAt: null,
          hasMore: false,
          callback: { state: 'NONE', attempts: 0 },
          progress: { percent: 0, itemsPerSecond: 0, etaMs: null },
          // Stored with no actor: who acted is never null, so the tenant shows.
          createdBy: { id: 'acme' },
        },
        errors: [],
        success: [],
      });
      expect(response.body.request).toEqual({
        uri: `${BASE}/bag/batch/status`,
        method: 'GET',
        queryString: `batchId=${encodeURIComponent(batch.id)}`,
        body: {},
      });
    });

    it('reports an IN_PROGRESS batch with its results so far, with Retry-After: 1', async () => {
      const batch = await seed('SF..');
      const response = await statusOf(batch.id);
      expect(response.headers.get('retry-after')).toBe('1');
      expect(response.body.data.meta).toMatchObject({ status: 'IN_PROGRESS', success: 1, failed: 1, pending: 2, total: 4, startedAt: 1_700_000_001_000 });
      expect(response.body.data.success).toEqual([{ refID: 'r-1', id: 'parcel:1' }]);
      expect(response.body.data.errors).toEqual([{ refID: 'r-2', reason: 'item 2 is not valid', code: 'ITEM_INVALID' }]);
    });

    it.each([
      ['SUCCESS', 'SSS', { success: 3, failed: 0 }],
      ['PARTIAL_SUCCESS', 'SFS', { success: 2, failed: 1 }],
      ['FAILED', 'FFF', { success: 0, failed: 3 }],
    ])('reports a %s batch without Retry-After', async (status, plan, counts) => {
      const batch = await seed(plan);
      const response = await statusOf(batch.id);
      expect(response.status).toBe(200);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(response.body.data.meta).toMatchObject({ status, ...counts, pending: 0, cancelled: 0, total: 3, completedAt: 1_700_000_001_000 });
      expect(response.body.data.errors).toHaveLength(counts.failed);
      expect(response.body.data.success).toHaveLength(counts.success);
    });

    it('reports a CANCELLED batch with its cancelled count', async () => {
      const batch = await seed('SF...', {}, async (b) => {
        b.cancel(1_700_000_002_000);
        await repository.recordCancellation(b);
      });
      const response = await statusOf(batch.id);
      expect(response.headers.get('retry-after')).toBeNull();
      expect(response.body.data.meta).toMatchObject({
        status: 'CANCELLED',
        success: 1,
        failed: 1,
        cancelled: 3,
        pending: 0,
        total: 5,
        completedAt: 1_700_000_002_000,
      });
    });

    it('gives file batches their rows, and serves them under /batch/upload/status too', async () => {
      const batch = await seed('FS', { source: 'file', operation: 'update' });
      for (const route of ['batch/status', 'batch/upload/status']) {
        const response = await statusOf(batch.id, undefined, 'bag', route);
        expect(response.status).toBe(200);
        expect(response.body.data.meta).toMatchObject({ source: 'file', operation: 'update', status: 'PARTIAL_SUCCESS' });
        expect(response.body.data.errors).toEqual([{ refID: 'r-1', reason: 'item 1 is not valid', code: 'ITEM_INVALID', row: 2 }]);
        expect(response.body.data.success).toEqual([{ refID: 'r-2', id: 'parcel:2', row: 3 }]);
      }
    });

    it('serves a JSON batch under /batch/upload/status as well', async () => {
      const batch = await seed('S');
      expect((await statusOf(batch.id, undefined, 'bag', 'batch/upload/status')).body.data.meta.status).toBe('SUCCESS');
    });

    it('keeps success + failed + pending + cancelled == total', async () => {
      const batch = await seed('SFSF....');
      const { meta } = (await statusOf(batch.id)).body.data;
      expect(meta.success + meta.failed + meta.pending + meta.cancelled).toBe(meta.total);
    });

    it('caps each list at 1024 entries in input order and sets hasMore', async () => {
      const plan = 'S'.repeat(1030) + 'F'.repeat(1025);
      const batch = await seed(plan);
      const response = await statusOf(batch.id);
      const { meta, success, errors } = response.body.data;
      expect(meta).toMatchObject({ success: 1030, failed: 1025, total: 2055, hasMore: true });
      expect(success).toHaveLength(1024);
      expect(errors).toHaveLength(1024);
      expect(success[0].refID).toBe('r-1');
      expect(success[1023].refID).toBe('r-1024');
      expect(errors[0].refID).toBe('r-1031');
      expect(errors[1023].refID).toBe('r-2054');
    });

    it('says hasMore: false when both lists fit exactly', async () => {
      const batch = await seed('S'.repeat(1024) + 'F'.repeat(1024));
      const response = await statusOf(batch.id);
      expect(response.body.data.meta.hasMore).toBe(false);
      expect(response.body.data.success).toHaveLength(1024);
    });
  });

  describe('existence', () => {
    it('answers 404 BATCH_NOT_FOUND for an unknown batch', async () => {
      const response = await statusOf(freshId());
      expect(response.status).toBe(404);
      expect(response.body.error).toMatchObject({ code: 'BATCH_NOT_FOUND', additionalInfo: {} });
    });

    it("hides another tenant's batch as not found", async () => {
      const batch = await seed('S');
      const response = await statusOf(batch.id, await t.headers('globex'));
      expectEnvelopeError(response, 404, 'BATCH_NOT_FOUND');
    });

    it('does not find a batch under another container type', async () => {
      const batch = await seed('S');
      const response = await statusOf(batch.id, undefined, 'pallet');
      expectEnvelopeError(response, 404, 'BATCH_NOT_FOUND');
    });
  });

  describe('headers', () => {
    const withHeaders = async (change: (h: Record<string, string | undefined>) => void) => {
      const batch = await seed('S');
      const headers: Record<string, string | undefined> = await t.headers();
      change(headers);
      return statusOf(batch.id, headers);
    };

    it.each([
      ['X-COREOS-REQUEST-ID', 'MISSING_HEADER', undefined],
      ['X-COREOS-REQUEST-ID', 'MISSING_HEADER', ''],
      ['X-COREOS-REQUEST-ID', 'INVALID_HEADER', 'has space'],
      ['X-COREOS-REQUEST-ID', 'INVALID_HEADER', 'x'.repeat(129)],
      ['X-COREOS-REQUEST-ID', 'INVALID_HEADER', 'caf\u00e9'],
      ['X-COREOS-TID', 'MISSING_HEADER', undefined],
      ['X-COREOS-TID', 'INVALID_HEADER', 'acme corp'],
      ['X-COREOS-TID', 'INVALID_HEADER', 'a'.repeat(65)],
    ])('%s → 400 %s for %p', async (header, code, value) => {
      const response = await withHeaders((h) => {
        h[header] = value;
      });
      expectEnvelopeError(response, 400, code);
    });

    it('echoes a valid X-COREOS-REQUEST-ID on success and on errors, and no invalid one', async () => {
      const ok = await withHeaders((h) => (h['X-COREOS-REQUEST-ID'] = 'abc-123_!~'));
      expect(ok.headers.get('x-coreos-request-id')).toBe('abc-123_!~');
      const unauthorized = await withHeaders((h) => {
        h['X-COREOS-REQUEST-ID'] = 'err-1';
        h['X-COREOS-ACCESS'] = 'garbage';
      });
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.headers.get('x-coreos-request-id')).toBe('err-1');
      const notFound = await t.request('/nowhere', { headers: { 'X-COREOS-REQUEST-ID': 'nf-1' } });
      expectEnvelopeError(notFound, 404, 'NOT_FOUND');
      expect(notFound.headers.get('x-coreos-request-id')).toBe('nf-1');
      const invalid = await withHeaders((h) => (h['X-COREOS-REQUEST-ID'] = 'bad id'));
      expect(invalid.headers.get('x-coreos-request-id')).toBeNull();
    });

    it('checks the identity headers before the token, and the token before the query', async () => {
      const headersFirst = await t.request(`${BASE}/bag/batch/status?batchId=nope`, { headers: { 'X-COREOS-REQUEST-ID': 'x', 'X-COREOS-ACCESS': 'garbage' } });
      expectEnvelopeError(headersFirst, 400, 'MISSING_HEADER');
      const tokenNext = await t.request(`${BASE}/b4g/batch/status?batchId=nope`, {
        headers: { 'X-COREOS-REQUEST-ID': 'x', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': 'garbage' },
      });
      expectEnvelopeError(tokenNext, 401, 'UNAUTHORIZED');
    });
  });

  describe('access tokens', () => {
    const withToken = async (token: string | undefined) => {
      const batch = await seed('S');
      return statusOf(batch.id, { ...(await t.headers()), 'X-COREOS-ACCESS': token });
    };
    const expectUnauthorized = (response: Answer) => {
      expectEnvelopeError(response, 401, 'UNAUTHORIZED');
    };

    it('accepts a valid token, also behind "Bearer "', async () => {
      expect((await withToken(await t.token('acme'))).status).toBe(200);
      expect((await withToken(`Bearer ${await t.token('acme')}`)).status).toBe(200);
    });

    it('accepts HS384 and HS512 with the shared secret', async () => {
      expect((await withToken(await t.token('acme', {}, { alg: 'HS384' }))).status).toBe(200);
      expect((await withToken(await t.token('acme', {}, { alg: 'HS512' }))).status).toBe(200);
    });

    it('refuses a missing or empty token', async () => {
      expectUnauthorized(await withToken(undefined));
      expectUnauthorized(await withToken(''));
    });

    it('refuses garbage', async () => {
      expectUnauthorized(await withToken('not-a-jwt'));
      expectUnauthorized(await withToken('a.b.c'));
    });

    it('refuses a token signed with another secret', async () => {
      expectUnauthorized(await withToken(await t.token('acme', {}, { secret: 'another-secret-that-is-also-32-bytes-long' })));
    });

    it('refuses an expired token', async () => {
      const response = await withToken(await t.token('acme', {}, { expiresIn: Math.floor(Date.now() / 1000) - 3600 }));
      expectUnauthorized(response);
      expect(response.body.error.description).toMatch(/expired/);
    });

    it('refuses a token without exp', async () => {
      const token = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(TEST_SECRET));
      expectUnauthorized(await withToken(token));
    });

    it('refuses a token issued for another tenant', async () => {
      const response = await withToken(await t.token('globex'));
      expectUnauthorized(response);
      expect(response.body.error.description).toMatch(/another tenant/);
    });

    it('refuses a token without a tid claim', async () => {
      const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_SECRET));
      expectUnauthorized(await withToken(token));
    });

    it('refuses alg: none', async () => {
      const token = new UnsecuredJWT({ tid: 'acme' }).setExpirationTime('1h').encode();
      expectUnauthorized(await withToken(token));
    });

    it('refuses an RS256 token when the service holds a shared secret', async () => {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'RS256' }).setExpirationTime('1h').sign(privateKey);
      expectUnauthorized(await withToken(token));
    });

    it('never reveals why beyond a sentence: no stack, no library internals', async () => {
      const response = await withToken('a.b.c');
      expect(response.text).not.toMatch(/at .*\.js|node_modules|jose/);
    });
  });

  describe('query and path', () => {
    it.each([
      ['missing', ''],
      ['empty', '?batchId='],
      ['not a batch id', '?batchId=12345'],
      ['an upper-case uuid', '?batchId=batch:2B0C7E3A-5F7E-4C1E-9D3A-0B6A4F1C2D3E'],
      ['too long', `?batchId=batch:${'a'.repeat(80)}`],
      ['repeated', '?batchId=batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e&batchId=batch:2b0c7e3a-5f7e-4c1e-9d3a-0b6a4f1c2d3e'],
    ])('answers 400 INVALID_BATCH_ID for a batchId that is %s', async (_what, query) => {
      const response = await t.request(`${BASE}/bag/batch/status${query}`, { headers: await t.headers() });
      expectEnvelopeError(response, 400, 'INVALID_BATCH_ID');
    });

    it.each(['b4g', 'ab', 'abcdefghijklmnopq', 'b_g'])('answers 400 VALIDATION_FAILED for containerType %s', async (type) => {
      const response = await statusOf(freshId(), undefined, type);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'VALIDATION_FAILED', additionalInfo: { violations: [{ path: 'containerType' }] } });
    });
  });

  describe('a finished batch read again', () => {
    /** A finished one-item batch on `app`, a reader of its status, and a change to its rows made behind the service. */
    async function finishedBatchOn(app: TestApp) {
      const batch = aBatch({ id: freshId(), tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', total: 1 }, 1_700_000_000_000);
      const store = new TypeOrmBatchSeeder(app.database);
      await store.add(batch, someItems(1));
      batch.recordOutcomes(['success'], 1_700_000_001_000);
      await store.recordOutcomes(batch, outcomesFor('S'));
      return {
        read: async () => (await app.request(`${BASE}/bag/batch/status?batchId=${batch.id}`, { headers: await app.headers() })).body.data,
        changeRows: () =>
          app.database.write(async (tx) => {
            await tx.query("UPDATE batch_outcomes SET result_id = 'bag:changed'");
            await tx.query("UPDATE batches SET callback_state = 'DELIVERED', callback_attempts = 1");
          }),
      };
    }

    it('answers the same lists from memory, with its meta read afresh', async () => {
      const own = await startTestApp();
      const batch = await finishedBatchOn(own);
      expect((await batch.read()).success).toEqual([{ refID: 'r-1', id: 'parcel:1' }]);
      await batch.changeRows();
      const again = await batch.read();
      expect(again.success).toEqual([{ refID: 'r-1', id: 'parcel:1' }]);
      expect(again.meta.callback).toEqual({ state: 'DELIVERED', attempts: 1 });
      await own.close();
    });

    it('sends the same bytes to the same request, each request its own echo, and a HEAD only the headers', async () => {
      const batch = await seed('SSF');
      const url = `${BASE}/bag/batch/status?batchId=${batch.id}`;
      const first = await t.request(url, { headers: await t.headers() });
      const again = await t.request(url, { headers: await t.headers() });
      expect(again.text).toBe(first.text);
      expect(Number(again.headers.get('content-length'))).toBe(Buffer.byteLength(again.text));
      expect(again.headers.get('content-type')).toBe('application/json; charset=utf-8');
      const other = await t.request(`${url}&wait=1`, { headers: await t.headers() });
      expect(other.body).toEqual({
        ...(first.body as object),
        request: { ...(first.body as { request: object }).request, queryString: `batchId=${batch.id}&wait=1` },
      });
      const head = await t.request(url, { method: 'HEAD', headers: await t.headers() });
      expect(head.status).toBe(200);
      expect(head.text).toBe('');
      // Its echo names no method (HEAD is outside the original's enum): the length of its own answer.
      expect(Number(head.headers.get('content-length'))).toBe(Buffer.byteLength(first.text) - '"method":"GET",'.length);
    });

    it('reads the lists afresh every time with STATUS_CACHE_ENTRIES=0', async () => {
      const own = await startTestApp({ STATUS_CACHE_ENTRIES: '0' });
      const batch = await finishedBatchOn(own);
      await batch.read();
      await batch.changeRows();
      expect((await batch.read()).success).toEqual([{ refID: 'r-1', id: 'bag:changed' }]);
      await own.close();
    });
  });

  describe('when the store fails', () => {
    it('answers 503 SERVICE_UNAVAILABLE with Retry-After, and nothing internal', async () => {
      const broken = await startTestApp();
      const batch = aBatch({ id: freshId(), tenantId: 'acme', kind: CONTAINER_BATCH_KIND, targetType: 'bag', total: 1 });
      await new TypeOrmBatchRepository(broken.database).add(batch, someItems(1));
      await broken.database.read((m) => m.query('SELECT 1'));
      // The database file disappears under the running service, as a failed disk or a wrong mount would.
      await broken.database.read((m) => m.dataSource.destroy());
      const response = await broken.request(`${BASE}/bag/batch/status?batchId=${batch.id}`, { headers: await broken.headers() });
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
      expect(response.text).not.toMatch(/SELECT|sqlite|typeorm|\/tmp\/|at \w+ \(/i);
      expect(broken.logs.some((line) => line.includes('request failed unexpectedly'))).toBe(true);
      const ready = await broken.request('/health/ready');
      expect(ready.status).toBe(503);
      await broken.close().catch(() => undefined);
    });
  });
});
