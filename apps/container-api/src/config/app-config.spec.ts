import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { ConfigError, loadConfig, loadDatabaseUrl } from './app-config';

const SECRET = 'x'.repeat(32);

describe('loadConfig', () => {
  it('has defaults for a laptop: port 3000, SQLite in ./data, development auth', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: 'sqlite:./data/container-service.sqlite',
      dataDir: path.resolve('data'),
      logLevel: 'info',
      auth: { key: { kind: 'development' }, issuer: null, audience: null },
    });
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'sqlite::memory:',
      AUTH_JWT_SECRET: SECRET,
      AUTH_ISSUER: 'i',
      AUTH_AUDIENCE: 'a',
      LOG_LEVEL: 'warn',
    });
    expect(config).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'sqlite::memory:',
      logLevel: 'warn',
      auth: { key: { kind: 'secret', secret: SECRET }, issuer: 'i', audience: 'a' },
    });
  });

  it('serves metrics unless METRICS_ENABLED=false, on a port of their own only when METRICS_PORT says so', () => {
    expect(loadConfig({}).metrics).toEqual({ enabled: true, port: null });
    expect(loadConfig({ METRICS_ENABLED: 'false', METRICS_PORT: '9464' }).metrics).toEqual({ enabled: false, port: 9464 });
    expect(() => loadConfig({ METRICS_ENABLED: 'no' })).toThrow(ConfigError);
    expect(() => loadConfig({ METRICS_PORT: 'http' })).toThrow('METRICS_PORT must be an integer from 0 to 65535');
  });

  it('takes LOG_FORMAT json or pretty, and leaves the choice to the process when unset', () => {
    expect(loadConfig({}).logFormat).toBeNull();
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(() => loadConfig({ LOG_FORMAT: 'yaml' })).toThrow("LOG_FORMAT must be json or pretty; got 'yaml'");
  });

  it('takes a PostgreSQL URL, with a pool of 10 connections unless told otherwise', () => {
    const config = loadConfig({ DATABASE_URL: 'postgresql://cs:pw@db.internal:5432/containers?sslmode=require' });
    expect(config).toMatchObject({ databaseUrl: 'postgresql://cs:pw@db.internal:5432/containers?sslmode=require', databasePoolMax: 10 });
    expect(loadConfig({ DATABASE_URL: 'postgres://cs@db/containers', DATABASE_POOL_MAX: '40' }).databasePoolMax).toBe(40);
  });

  it('gives up on an unreachable PostgreSQL after 3 s for a connection and 5 s for an answer unless told otherwise', () => {
    expect(loadConfig({}).databaseDeadlines).toEqual({ connectTimeoutMs: 3000, queryTimeoutMs: 5000 });
    expect(loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '1500', DATABASE_QUERY_TIMEOUT_MS: '0' }).databaseDeadlines).toEqual({
      connectTimeoutMs: 1500,
      queryTimeoutMs: 0,
    });
    expect(() => loadConfig({ DATABASE_CONNECT_TIMEOUT_MS: '0' })).toThrow(/DATABASE_CONNECT_TIMEOUT_MS must be an integer from 100/);
    expect(() => loadConfig({ DATABASE_QUERY_TIMEOUT_MS: '-1' })).toThrow(/DATABASE_QUERY_TIMEOUT_MS/);
  });

  it('migrates at start unless DATABASE_MIGRATE=false, which waits for the schema instead', () => {
    expect(loadConfig({}).databaseMigrate).toBe(true);
    expect(loadConfig({ DATABASE_MIGRATE: 'true' }).databaseMigrate).toBe(true);
    expect(loadConfig({ DATABASE_MIGRATE: 'false' }).databaseMigrate).toBe(false);
  });

  it('reads DATABASE_URL alone for the migrate command, without the settings a running service needs', () => {
    expect(loadDatabaseUrl({ NODE_ENV: 'production' })).toBe('sqlite:./data/container-service.sqlite');
    expect(loadDatabaseUrl({ NODE_ENV: 'production', DATABASE_URL: ' postgres://cs@db/containers ' })).toBe('postgres://cs@db/containers');
    expect(() => loadDatabaseUrl({ DATABASE_URL: 'mysql://x/db' })).toThrow(ConfigError);
  });

  it('lowers the worker thread to nice 10 unless told otherwise', () => {
    expect(loadConfig({}).worker.threadNice).toBe(10);
    expect(loadConfig({ WORKER_THREAD_NICE: '0' }).worker.threadNice).toBe(0);
  });

  it('keeps up to 65 536 result-list entries in memory unless told otherwise', () => {
    expect(loadConfig({}).statusCacheEntries).toBe(65_536);
    expect(loadConfig({ STATUS_CACHE_ENTRIES: '0' }).statusCacheEntries).toBe(0);
  });

  it('reads SECRETS_KEY as the keys that seal callback secrets, none by default, and says what is wrong with a bad one', () => {
    expect(loadConfig({}).callbacks.secretKeys).toEqual([]);
    const key = 'ab'.repeat(32);
    expect(loadConfig({ SECRETS_KEY: `new:${Buffer.alloc(32).toString('base64')},old:${key}` }).callbacks.secretKeys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(() => loadConfig({ SECRETS_KEY: 'short' })).toThrow(ConfigError);
    expect(() => loadConfig({ SECRETS_KEY: 'short' })).toThrow(/SECRETS_KEY entry 1 must be 32 bytes/);
  });

  it('gives a JSON body 30 s to arrive unless told otherwise', () => {
    expect(loadConfig({}).bodyTimeoutMs).toBe(30_000);
    expect(loadConfig({ BODY_TIMEOUT_MS: '500' }).bodyTimeoutMs).toBe(500);
  });

  it('reads a PEM public key given inline with escaped newlines', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const config = loadConfig({ AUTH_PUBLIC_KEY: pem.replace(/\n/g, '\\n') });
    expect(config.auth.key).toEqual({ kind: 'public-key', pem });
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT must be an integer/],
    [{ PORT: '70000' }, /PORT must be an integer from 0 to 65535/],
    [{ DATABASE_URL: 'mysql://x/db' }, /DATABASE_URL must start with sqlite:/],
    [{ DATABASE_URL: 'postgres://x' }, /DATABASE_URL must name a host and a database/],
    [{ DATABASE_POOL_MAX: '0' }, /DATABASE_POOL_MAX must be an integer from 1 to 1000/],
    [{ DATABASE_MIGRATE: 'no' }, /DATABASE_MIGRATE must be true or false; got 'no'/],
    [{ WORKER_THREAD_NICE: '20' }, /WORKER_THREAD_NICE must be an integer from 0 to 19/],
    [{ STATUS_CACHE_ENTRIES: '-1' }, /STATUS_CACHE_ENTRIES must be an integer from 0 to 10000000/],
    [{ BODY_TIMEOUT_MS: '0' }, /BODY_TIMEOUT_MS must be an integer from 100 to 3600000/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ AUTH_JWT_SECRET: 'short' }, /AUTH_JWT_SECRET must be at least 32 bytes/],
    [{ AUTH_JWT_SECRET: SECRET, AUTH_JWKS_URL: 'https://idp/jwks' }, /only one of/],
    [{ AUTH_JWKS_URL: 'not a url' }, /AUTH_JWKS_URL must be an absolute/],
    [{ AUTH_PUBLIC_KEY: '/no/such/file.pem' }, /AUTH_PUBLIC_KEY/],
    [{ NODE_ENV: 'production' }, /NODE_ENV=production needs an access token key/],
  ])('refuses %p with one clear line', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });
});
