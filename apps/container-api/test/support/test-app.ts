// Starts the real app on a loopback port, over a real SQLite file in a temporary folder (or, with
// E2E_STORE=postgres, a fresh PostgreSQL database on TEST_DATABASE_URL, dropped on close), with
// its JSON logs captured, and gives tests a small HTTP client and a token minter.
import { Clock } from '@container-service/batch-domain';
import { Database } from '@container-service/persistence-typeorm';
import { freshDatabase, type FreshDatabase } from '@container-service/test-postgres';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SignJWT } from 'jose';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { resolveVerificationKey } from '../../src/auth/signing-key';
import { loadConfig } from '../../src/config/app-config';
import { createApp } from '../../src/create-app';
import { createLogger } from '../../src/logging/logger';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
export const BASE = '/core/api/v2/containers';

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  text: string;
}

interface RequestOptions {
  method?: string;
  headers?: Record<string, string | undefined>;
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  /** A multipart body; fetch sets its Content-Type with the boundary. */
  form?: FormData;
}

export interface TestApp {
  readonly url: string;
  readonly app: NestFastifyApplication;
  readonly database: Database;
  readonly dir: string;
  readonly logs: string[];
  token(tenant?: string, claims?: Record<string, unknown>, options?: { expiresIn?: number | string; secret?: string; alg?: string }): Promise<string>;
  /** Identity headers for a tenant, with a fresh token. */
  headers(tenant?: string, extra?: Record<string, string>): Promise<Record<string, string>>;
  request(pathAndQuery: string, options?: RequestOptions): Promise<TestResponse>;
  close(): Promise<void>;
}

/** The store the harness puts apps on: E2E_STORE=postgres (jest.postgres.config.js) or SQLite. */
export function e2eStore(): 'sqlite' | 'postgres' {
  const store = process.env.E2E_STORE ?? 'sqlite';
  if (store !== 'sqlite' && store !== 'postgres') throw new Error(`E2E_STORE must be sqlite or postgres, not ${store}`);
  return store;
}

async function postgresDatabase(): Promise<FreshDatabase> {
  const base = process.env.TEST_DATABASE_URL;
  // The jest config's globalSetup provides it; without it the run must fail, not fall back.
  if (!base) throw new Error('E2E_STORE=postgres needs TEST_DATABASE_URL (set by the jest globalSetup)');
  return freshDatabase(base, 'e2e');
}

export async function startTestApp(env: Record<string, string> = {}, clock?: Clock): Promise<TestApp> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-e2e-'));
  // A test that names its own DATABASE_URL keeps it.
  const postgres = env.DATABASE_URL === undefined && e2eStore() === 'postgres' ? await postgresDatabase() : undefined;
  try {
    return await startOn(dir, postgres, env, clock);
  } catch (error) {
    await postgres?.drop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

async function startOn(dir: string, postgres: FreshDatabase | undefined, env: Record<string, string>, clock: Clock | undefined): Promise<TestApp> {
  const config = loadConfig({
    AUTH_JWT_SECRET: TEST_SECRET,
    DATABASE_URL: postgres ? postgres.url : `sqlite:${path.join(dir, 'db.sqlite')}`,
    DATA_DIR: dir,
    LOG_LEVEL: 'info',
    // Tests that seed batches by hand read them as seeded; processing tests turn the worker on.
    WORKER_ENABLED: 'false',
    WORKER_IDLE_MS: '20',
    // Receivers in tests listen on loopback; the SSRF tests turn the guard back on.
    CALLBACK_ALLOW_PRIVATE_NETWORKS: 'true',
    ...env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const logger = createLogger(config.logLevel, sink);
  const database = await Database.open(config.databaseUrl);
  const app = await createApp({ config, database, verificationKey: resolveVerificationKey(config.auth, config.dataDir), logger, ...(clock ? { clock } : {}) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  let requestNo = 0;

  const token: TestApp['token'] = async (tenant = 'acme', claims = {}, options = {}) =>
    new SignJWT({ tid: tenant, ...claims })
      .setProtectedHeader({ alg: options.alg ?? 'HS256' })
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '1h')
      .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));

  return {
    url,
    app,
    database,
    dir,
    logs,
    token,
    async headers(tenant = 'acme', extra = {}) {
      return { 'X-COREOS-REQUEST-ID': `req-${++requestNo}`, 'X-COREOS-TID': tenant, 'X-COREOS-ACCESS': await token(tenant), ...extra };
    },
    async request(pathAndQuery, options = {}) {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(options.headers ?? {})) if (v !== undefined) headers[k] = v;
      let body: string | undefined = options.rawBody;
      if (options.body !== undefined) body = JSON.stringify(options.body);
      if (body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
      const payload = options.form ?? body;
      const response = await fetch(url + pathAndQuery, { method: options.method ?? 'GET', headers, ...(payload !== undefined ? { body: payload } : {}) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, body: parsed, text };
    },
    async close() {
      try {
        await app.close();
      } finally {
        await postgres?.drop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A multipart form with `file` holding `csv` and, when given, a `callback` field (before or after the file). */
export function csvForm(
  csv: string | Uint8Array,
  options: { callback?: string; callbackFirst?: boolean; fileName?: string; fileField?: string } = {},
): FormData {
  const form = new FormData();
  if (options.callback !== undefined && options.callbackFirst) form.append('callback', options.callback);
  form.append(options.fileField ?? 'file', new Blob([csv], { type: 'text/csv' }), options.fileName ?? 'containers.csv');
  if (options.callback !== undefined && !options.callbackFirst) form.append('callback', options.callback);
  return form;
}
