// Hostile callback receivers (contract §13, issue 13 points 5, 10 and 12), with real receivers on
// loopback: a receiver that trickles, never answers, or answers without end holds only its own
// tries, which end by CALLBACK_TIMEOUT_MS; another tenant's callback goes out meanwhile; a try
// in flight is never sent twice at once; a stop with tries hanging exits 0 at once; addresses
// must be global unicast in every IPv6 spelling; secrets are sealed at rest and dropped once final.
import Database from 'better-sqlite3';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SignJWT } from 'jose';
import { AesGcmSecretSealer, parseSecretsKey } from '../src/callbacks/aes-gcm-secret.sealer';
import { acceptedId, expectEnvelopeError } from './support/answers';
import { defineType } from './support/container-types';
import { eventually } from './support/eventually';
import { HostileReceiver, startHostileReceiver } from './support/hostile-receiver';
import { Receiver, startReceiver } from './support/receiver';
import { Running, start, stop } from './support/service-process';
import { BASE, TEST_SECRET, TestApp, csvForm, startTestApp } from './support/test-app';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
type Meta = { status: string; callback: { state: string; attempts: number } };

/** Helpers over one running app: define the type, submit one-item batches with callbacks, read their state. */
function client(t: TestApp) {
  const define = async (tenant: string) => defineType(t, { name: 'bag' }, tenant);
  const submit = async (tenant: string, url: string, extra: Record<string, string> = {}) => {
    const response = await t.request(`${BASE}/bag/batch`, {
      method: 'POST',
      headers: await t.headers(tenant, extra),
      body: { payload: [{ refID: 'r' }], callback: { url } },
    });
    return acceptedId(response);
  };
  const meta = async (tenant: string, batchId: string): Promise<Meta> =>
    (await t.request(`${BASE}/bag/batch/status?batchId=${batchId}`, { headers: await t.headers(tenant) })).body.data.meta;
  const until = async (tenant: string, batchId: string, done: (m: Meta) => boolean, withinMs: number) =>
    eventually(() => meta(tenant, batchId), {
      timeoutMs: withinMs,
      intervalMs: 25,
      what: `the callback of batch ${batchId} to reach the awaited state`,
      until: done,
    });
  return { define, submit, meta, until };
}

describe('slow callback receivers', () => {
  let receiver: HostileReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  it("hold only their own tries: another tenant's callback is delivered at once while 20 receivers trickle", async () => {
    receiver = await startHostileReceiver();
    // Long tries, so that only a fair share of the slots (not the deadline) can let tenant B through.
    const t = await startTestApp({
      WORKER_ENABLED: 'true',
      CALLBACK_TIMEOUT_MS: '20000',
      CALLBACK_CONCURRENCY: '16',
      CALLBACK_MAX_ATTEMPTS: '2',
      CALLBACK_BACKOFF_BASE_MS: '100',
    });
    try {
      const c = client(t);
      await c.define('noisy');
      await c.define('quiet');
      for (let i = 0; i < 20; i++) await c.submit('noisy', receiver.url('trickle', `a${i}`));
      await eventually(() => receiver.openNow, { timeoutMs: 2_000, intervalMs: 10, what: '15 open callback connections', until: (open) => open >= 15 });
      // Alone, the noisy tenant holds all but one of the 16 slots.
      expect(receiver.openNow).toBe(15);

      const submitted = Date.now();
      const quiet = await c.submit('quiet', receiver.url('ok', 'b'));
      const final = await c.until('quiet', quiet, (m) => m.callback.state !== 'PENDING', 5000);
      expect(final.callback).toEqual({ state: 'DELIVERED', attempts: 1 });
      expect(receiver.requests.find((r) => r.tag === 'b')!.at - submitted).toBeLessThan(2000);
      // The noisy tenant never holds more than all but the kept slot.
      expect(receiver.openNow).toBeLessThanOrEqual(15);
    } finally {
      await t.close();
    }
  }, 30_000);

  it.each([
    ['trickles its body for ever', 'trickle', { state: 'FAILED', attempts: 3 }],
    ['never answers', 'silent', { state: 'FAILED', attempts: 3 }],
    ['trickles its headers for ever', 'headers', { state: 'FAILED', attempts: 3 }],
    ['answers 200 with an endless body', 'huge', { state: 'DELIVERED', attempts: 1 }],
  ] as const)(
    'end their tries by the deadline, one at a time, when a receiver %s',
    async (_name, behaviour, expected) => {
      receiver = await startHostileReceiver();
      const t = await startTestApp({ WORKER_ENABLED: 'true', CALLBACK_TIMEOUT_MS: '500', CALLBACK_MAX_ATTEMPTS: '3', CALLBACK_BACKOFF_BASE_MS: '50' });
      try {
        const c = client(t);
        await c.define('acme');
        const batchId = await c.submit('acme', receiver.url(behaviour, 'one'));
        // Three tries of at most 500 ms each, plus backoff: well within 4 s.
        const final = await c.until('acme', batchId, (m) => m.callback.state !== 'PENDING', 4000);
        expect(final.callback).toEqual(expected);
        expect(receiver.requests.filter((r) => r.tag === 'one')).toHaveLength(expected.attempts);
        // Never the same callback on two connections at once.
        expect(receiver.mostOpen('one')).toBe(1);
        await eventually(() => receiver.open('one'), {
          timeoutMs: 1_000,
          intervalMs: 10,
          what: 'the receiver to see its connection closed',
          until: (open) => open === 0,
        });
        expect(receiver.open('one')).toBe(0);
      } finally {
        await t.close();
      }
    },
    15_000,
  );
});

describe('a stop while callback tries hang', () => {
  it('exits 0 at once, and hands the tries back uncounted for the next start', async () => {
    const receiver = await startHostileReceiver();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-callback-stop-'));
    const dbFile = path.join(dir, 'db.sqlite');
    let running: Running | null = null;
    try {
      running = await start(dir, {
        AUTH_JWT_SECRET: TEST_SECRET,
        DATABASE_URL: `sqlite:${dbFile}`,
        DATA_DIR: dir,
        CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
        CALLBACK_TIMEOUT_MS: '60000',
        WORKER_IDLE_MS: '20',
      });
      const token = await new SignJWT({ tid: 'acme' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(TEST_SECRET));
      let n = 0;
      const headers = () => ({ 'X-COREOS-REQUEST-ID': `stop-${++n}`, 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': token, 'content-type': 'application/json' });
      await fetch(`${running.url}${BASE}/container-types`, { method: 'POST', headers: headers(), body: JSON.stringify({ name: 'bag' }) });
      for (const behaviour of ['trickle', 'silent', 'headers'] as const) {
        const response = await fetch(`${running.url}${BASE}/bag/batch`, {
          method: 'POST',
          headers: headers(),
          body: JSON.stringify({ payload: [{ refID: 'r' }], callback: { url: receiver.url(behaviour, behaviour) } }),
        });
        expect(response.status).toBe(202);
      }
      await eventually(() => receiver.openNow, { timeoutMs: 5_000, intervalMs: 10, what: '3 open callback connections', until: (open) => open >= 3 });
      expect(receiver.openNow).toBe(3);

      const stopping = Date.now();
      const code = await stop(running);
      running = null;
      expect(code).toBe(0);
      expect(Date.now() - stopping).toBeLessThan(5000);
      await eventually(() => receiver.openNow, { timeoutMs: 1_000, intervalMs: 10, what: 'every callback connection closed', until: (open) => open === 0 });
      expect(receiver.openNow).toBe(0);

      const db = new Database(dbFile, { readonly: true });
      const rows = db
        .prepare(
          'SELECT b.callback_state AS state, b.callback_attempts AS attempts, c.lease_owner AS owner FROM batches b JOIN batch_callbacks c ON c.batch_pk = b.pk',
        )
        .all();
      db.close();
      expect(rows).toEqual([0, 1, 2].map(() => ({ state: 'PENDING', attempts: 0, owner: null })));
    } finally {
      if (running) await stop(running);
      await receiver.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 40_000);
});

describe('callback addresses in IPv6 transition forms, with the guard on', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ CALLBACK_ALLOW_PRIVATE_NETWORKS: 'false' });
    await client(t).define('acme');
  });
  afterAll(async () => {
    await t.close();
  });

  it.each([
    'http://[::7f00:1]/hook', // IPv4-compatible 127.0.0.1
    'http://[::127.0.0.1]/hook',
    'http://[::ffff:0:7f00:1]/hook', // IPv4-translated
    'http://[::ffff:a9fe:a9fe]/latest', // IPv4-mapped 169.254.169.254
    'http://[2002:7f00:1::1]/hook', // 6to4 of 127.0.0.1
    'http://[2002:808:808::1]/hook', // 6to4 of a public address: a relay decides where it goes
    'http://[64:ff9b::a9fe:a9fe]/hook', // NAT64
    'http://[64:ff9b:1::a00:1]/hook', // local-use NAT64
    'http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hook', // Teredo
    'http://[fec0::1]/hook', // site-local
    'http://[2001:db8::1]/hook', // documentation
    'http://192.0.2.10/hook', // IPv4 documentation (TEST-NET-1)
    'http://0x7f.1/hook', // 127.0.0.1 spelled in hex
  ])('refuses %s at submit, JSON and file alike', async (url) => {
    const json = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), body: { payload: [{ refID: 'r' }], callback: { url } } });
    expect([json.status, json.body.error.code, json.body.error.additionalInfo.violations[0].path]).toEqual([400, 'VALIDATION_FAILED', 'callback.url']);
    const file = await t.request(`${BASE}/bag/batch/upload`, {
      method: 'POST',
      headers: await t.headers(),
      form: csvForm('refID\nr\n', { callback: JSON.stringify({ url }) }),
    });
    expectEnvelopeError(file, 400, 'VALIDATION_FAILED');
  });

  it('accepts a global unicast IPv6 address', async () => {
    const response = await t.request(`${BASE}/bag/batch`, {
      method: 'POST',
      headers: await t.headers(),
      body: { payload: [{ refID: 'r' }], callback: { url: 'http://[2606:4700::1111]/hook' } },
    });
    expect(response.status).toBe(202);
  });
});

describe('SECRETS_KEY at start', () => {
  it('is asked for, with a warning, in production only', async () => {
    const warned = async (env: Record<string, string>) => {
      const t = await startTestApp(env);
      const said = t.logs.some((line) => line.includes('SECRETS_KEY is not set'));
      await t.close();
      return said;
    };
    expect(await warned({ NODE_ENV: 'production' })).toBe(true);
    expect(await warned({ NODE_ENV: 'production', SECRETS_KEY: 'ab'.repeat(32) })).toBe(false);
    expect(await warned({})).toBe(false);
  });
});

describe('callback secrets with SECRETS_KEY', () => {
  const K1 = Buffer.alloc(32, 1).toString('base64');
  const K2 = Buffer.alloc(32, 2).toString('hex');
  const SECRET = 'cb-secret-Hq7Xv2Lp9';
  let t: TestApp;
  let receiver: Receiver;
  beforeEach(async () => {
    receiver = await startReceiver();
    t = await startTestApp({ WORKER_ENABLED: 'true', SECRETS_KEY: `k2:${K2},k1:${K1}`, CALLBACK_BACKOFF_BASE_MS: '1500', CALLBACK_MAX_ATTEMPTS: '3' });
    await client(t).define('acme');
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });
  /** Reads the stored columns from the SQLite file itself, as anyone with the file could. */
  const storedSecrets = () => {
    const db = new Database(path.join(t.dir, 'db.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT secret, last_error AS lastError FROM batch_callbacks ORDER BY batch_pk').all() as Array<{
      secret: string | null;
      lastError: string | null;
    }>;
    db.close();
    return rows;
  };

  it('stores the secret sealed (JSON and file submits), signs with the real one, and drops it once delivered', async () => {
    receiver.plan('hold', 'hold');
    const c = client(t);
    const json = await c.submit('acme', receiver.url, { 'X-COREOS-CALLBACK-SECRET': SECRET });
    const upload = await t.request(`${BASE}/bag/batch/upload`, {
      method: 'POST',
      headers: await t.headers('acme', { 'X-COREOS-CALLBACK-SECRET': SECRET }),
      form: csvForm('refID\nf-1\n', { callback: JSON.stringify({ url: receiver.url }) }),
    });
    expect(upload.status).toBe(202);
    for (let i = 0; i < 300 && receiver.received.length < 2; i++) await sleep(10);
    const sealed = storedSecrets().map((row) => row.secret);
    expect(sealed).toEqual([expect.stringMatching(/^v1:k2:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/), expect.stringMatching(/^v1:k2:/)]);
    for (const file of ['db.sqlite', 'db.sqlite-wal']) {
      const where = path.join(t.dir, file);
      if (fs.existsSync(where)) expect(fs.readFileSync(where).includes(SECRET)).toBe(false);
    }
    receiver.release();
    for (const batchId of [json, upload.body.data.id as string]) {
      expect((await c.until('acme', batchId, (m) => m.callback.state !== 'PENDING', 3000)).callback).toEqual({ state: 'DELIVERED', attempts: 1 });
    }
    for (const delivery of receiver.received) {
      const timestamp = delivery.headers['x-coreos-timestamp'] as string;
      expect(delivery.headers['x-coreos-hmac-signature']).toBe(`sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${delivery.body}`).digest('hex')}`);
    }
    expect(storedSecrets().map((row) => row.secret)).toEqual([null, null]);
  });

  it('fails a callback for good, with a clear reason, when its secret was sealed under a key no longer configured', async () => {
    receiver.plan(500);
    const c = client(t);
    const batchId = await c.submit('acme', receiver.url, { 'X-COREOS-CALLBACK-SECRET': SECRET });
    await c.until('acme', batchId, (m) => m.callback.attempts === 1, 3000);
    // As if sealed by a key since removed from SECRETS_KEY.
    const gone = new AesGcmSecretSealer(parseSecretsKey(`k0:${Buffer.alloc(32, 9).toString('base64')}`)).seal(SECRET);
    await t.database.write((manager) => manager.query('UPDATE batch_callbacks SET secret = ?', [gone]));
    const final = await c.until('acme', batchId, (m) => m.callback.state !== 'PENDING', 4000);
    expect(final.callback).toEqual({ state: 'FAILED', attempts: 2 });
    expect(receiver.received).toHaveLength(1);
    expect(storedSecrets()[0]).toEqual({
      secret: null,
      lastError: expect.stringMatching(/secret cannot be opened: it was sealed under key 'k0', which SECRETS_KEY does not hold/),
    });
  });
});
