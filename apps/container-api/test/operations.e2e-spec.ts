// Probes, the OpenAPI document, logs, and access tokens verified against a JWKS endpoint.
import { SignJWT, exportJWK } from 'jose';
import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { expectEnvelopeError } from './support/answers';
import { documentedHeaders } from './support/openapi';
import { BASE, TEST_SECRET, TestApp, startTestApp } from './support/test-app';

describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers the liveness and readiness probes without credentials', async () => {
    expect(await t.request('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect(await t.request('/health/ready')).toMatchObject({ status: 200, body: { status: 'ready' } });
  });

  it('serves the OpenAPI document and its UI, covering the contract routes', async () => {
    const ui = await t.request('/docs');
    expect(ui.status).toBe(200);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    const json = await t.request('/docs-json');
    expect(json.status).toBe(200);
    const paths = Object.keys(json.body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        `${BASE}/{containerType}/batch/status`,
        `${BASE}/{containerType}/batch/upload/status`,
        `${BASE}/container-types`,
        `${BASE}/container-types/{name}`,
      ]),
    );
    const statusPath = json.body.paths[`${BASE}/{containerType}/batch/status`];
    const status = statusPath.get;
    const parameters = [...(statusPath.parameters ?? []), ...status.parameters].map((p: { name: string }) => p.name);
    expect([...documentedHeaders(json.body, status), ...parameters]).toEqual(
      expect.arrayContaining(['X-COREOS-REQUEST-ID', 'X-COREOS-TID', 'X-COREOS-ACCESS', 'batchId', 'containerType']),
    );
    expect(json.body.components.schemas.BatchMetaDto.properties.status.enum).toEqual([
      'QUEUED',
      'IN_PROGRESS',
      'SUCCESS',
      'PARTIAL_SUCCESS',
      'FAILED',
      'CANCELLED',
    ]);
  });

  it('logs one JSON line per request with its request id and tenant, and never the token', async () => {
    const headers = await t.headers('acme', { 'X-COREOS-REQUEST-ID': 'log-check-1', 'X-COREOS-USERINFO': '{"id":"u-secret-name"}' });
    await t.request(`${BASE}/container-types`, { headers });
    const line = t.logs.map((l) => JSON.parse(l)).find((entry) => entry.reqId === 'log-check-1');
    expect(line).toMatchObject({ tenant: 'acme', method: 'GET', path: `${BASE}/container-types`, status: 200, msg: 'request served' });
    const all = t.logs.join('\n');
    expect(all).not.toContain(headers['X-COREOS-ACCESS']);
    expect(all).not.toContain(TEST_SECRET);
    expect(all).not.toContain('u-secret-name');
  });
});

describe('tokens verified against a JWKS endpoint', () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let jwks: http.Server;
  let t: TestApp;

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    jwks = http.createServer((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    const port = (jwks.address() as AddressInfo).port;
    t = await startTestApp({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: `http://127.0.0.1:${port}/.well-known/jwks.json`, AUTH_AUDIENCE: 'containers' });
  });
  afterAll(async () => {
    await t.close();
    jwks.close();
  });

  const call = (token: string) =>
    t.request(`${BASE}/container-types`, { headers: { 'X-COREOS-REQUEST-ID': 'jwks', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': token } });

  it('accepts an RS256 token signed by a published key', async () => {
    const token = await new SignJWT({ tid: 'acme' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setAudience('containers')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await call(token)).status).toBe(200);
  });

  it('refuses a token for another audience, or one whose key is not published', async () => {
    const wrongAudience = await new SignJWT({ tid: 'acme' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setAudience('billing')
      .setExpirationTime('5m')
      .sign(privateKey);
    expect((await call(wrongAudience)).status).toBe(401);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    const unknownKey = await new SignJWT({ tid: 'acme' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k2' })
      .setAudience('containers')
      .setExpirationTime('5m')
      .sign(other);
    expect((await call(unknownKey)).status).toBe(401);
  });

  it('refuses an HS256 token, whatever secret signed it', async () => {
    const token = await new SignJWT({ tid: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience('containers')
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(TEST_SECRET));
    expect((await call(token)).status).toBe(401);
  });
});

describe('when the JWKS endpoint cannot be reached', () => {
  it('answers 503 SERVICE_UNAVAILABLE rather than blaming the caller', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const t = await startTestApp({ AUTH_JWT_SECRET: '', AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks.json` });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const token = await new SignJWT({ tid: 'acme' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setExpirationTime('5m').sign(privateKey);
    const response = await t.request(`${BASE}/container-types`, {
      headers: { 'X-COREOS-REQUEST-ID': 'down', 'X-COREOS-TID': 'acme', 'X-COREOS-ACCESS': token },
    });
    expectEnvelopeError(response, 503, 'SERVICE_UNAVAILABLE');
    await t.close();
  });
});

describe('a body over JSON_BODY_MAX_BYTES', () => {
  it('answers 413 PAYLOAD_TOO_LARGE and stores nothing', async () => {
    const t = await startTestApp({ JSON_BODY_MAX_BYTES: '2048' });
    await t.request(`${BASE}/container-types`, { method: 'POST', headers: await t.headers(), body: { name: 'bag' } });
    const payload = Array.from({ length: 300 }, (_, i) => ({ refID: `big-${i}` }));
    const response = await t.request(`${BASE}/bag/batch`, { method: 'POST', headers: await t.headers(), body: { payload } });
    expectEnvelopeError(response, 413, 'PAYLOAD_TOO_LARGE');
    expect(Number((await t.database.read((m) => m.query('SELECT COUNT(*) AS n FROM batches')))[0].n)).toBe(0);
    await t.close();
  });
});
