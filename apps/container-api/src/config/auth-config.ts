// How access tokens are checked (AUTH_*): a shared secret, a public key, a JWKS URL, or the
// development secret; exactly one, and never development mode in production.
import fs from 'node:fs';
import { ConfigError } from './config-error';

type AuthKeyConfig =
  | { readonly kind: 'development' }
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'public-key'; readonly pem: string }
  | { readonly kind: 'jwks'; readonly url: string };

export interface AuthConfig {
  readonly key: AuthKeyConfig;
  readonly issuer: string | null;
  readonly audience: string | null;
}

export function loadAuthConfig(text: (name: string) => string | undefined, production: boolean): AuthConfig {
  const secret = text('AUTH_JWT_SECRET');
  const publicKey = text('AUTH_PUBLIC_KEY');
  const jwksUrl = text('AUTH_JWKS_URL');
  const given = [secret && 'AUTH_JWT_SECRET', publicKey && 'AUTH_PUBLIC_KEY', jwksUrl && 'AUTH_JWKS_URL'].filter(Boolean);
  if (given.length > 1) throw new ConfigError(`set only one of AUTH_JWT_SECRET, AUTH_PUBLIC_KEY, AUTH_JWKS_URL; got ${given.join(' and ')}`);

  let key: AuthKeyConfig;
  if (secret !== undefined) {
    if (Buffer.byteLength(secret, 'utf8') < 32) throw new ConfigError('AUTH_JWT_SECRET must be at least 32 bytes long (256 bits) for HS256');
    key = { kind: 'secret', secret };
  } else if (publicKey !== undefined) {
    key = { kind: 'public-key', pem: readPem(publicKey) };
  } else if (jwksUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(jwksUrl);
    } catch {
      throw new ConfigError(`AUTH_JWKS_URL must be an absolute http(s) URL; got '${jwksUrl}'`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ConfigError(`AUTH_JWKS_URL must be an http(s) URL; got '${jwksUrl}'`);
    key = { kind: 'jwks', url: url.toString() };
  } else if (production) {
    throw new ConfigError('NODE_ENV=production needs an access token key: set AUTH_JWT_SECRET, AUTH_PUBLIC_KEY or AUTH_JWKS_URL');
  } else {
    key = { kind: 'development' };
  }
  return { key, issuer: text('AUTH_ISSUER') ?? null, audience: text('AUTH_AUDIENCE') ?? null };
}

/** AUTH_PUBLIC_KEY holds the PEM itself, or the path of a file holding it. */
function readPem(value: string): string {
  const pem = value.startsWith('-----BEGIN') ? value : readFile(value);
  if (!/-----BEGIN (PUBLIC KEY|CERTIFICATE)-----/.test(pem)) {
    throw new ConfigError('AUTH_PUBLIC_KEY must be a PEM public key (-----BEGIN PUBLIC KEY-----) or the path of a file holding one');
  }
  return pem.replace(/\\n/g, '\n');
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`AUTH_PUBLIC_KEY is neither a PEM key nor a readable file: '${file.slice(0, 80)}'`);
  }
}
