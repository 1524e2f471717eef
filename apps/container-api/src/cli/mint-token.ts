// `npm run token -- --tenant acme --ttl 1h [--subject who]`: prints an access token signed with
// the configured shared secret, or with the development secret in the data folder.
import { parseArgs } from 'node:util';
import { loadOrCreateDevSecret } from '../auth/signing-key';
import { mintToken, parseTtl } from '../auth/token-minter';
import { ConfigError, loadConfig } from '../config/app-config';
import { isValidTenantId } from '../http/coreos-headers';

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: { tenant: { type: 'string' }, ttl: { type: 'string', default: '1h' }, subject: { type: 'string' } },
  });
  const tenant = values.tenant ?? '';
  if (!isValidTenantId(tenant)) fail('--tenant is required: 1 to 64 letters, digits, underscores or hyphens');
  const ttlSeconds = parseTtl(values.ttl);
  if (ttlSeconds === null) fail('--ttl must be a duration such as 90s, 15m, 1h or 7d');

  const config = loadConfig();
  let secret: Uint8Array;
  if (config.auth.key.kind === 'secret') secret = new TextEncoder().encode(config.auth.key.secret);
  else if (config.auth.key.kind === 'development') secret = loadOrCreateDevSecret(config.dataDir);
  else fail('tokens can be minted here only with a shared secret (AUTH_JWT_SECRET) or in development mode');

  const token = await mintToken(secret, {
    tenantId: tenant,
    ttlSeconds,
    ...(values.subject ? { subject: values.subject } : {}),
    issuer: config.auth.issuer,
    audience: config.auth.audience,
  });
  process.stdout.write(`${token}\n`);
}

function fail(message: string): never {
  process.stderr.write(`token: ${message}\n`);
  process.exit(2);
}

run().catch((error: unknown) => fail(error instanceof ConfigError ? error.message : String(error)));
