// Resolves the configured token key: a shared secret, a public key, a JWKS endpoint, or in
// development mode a random secret kept in the data folder (mode 0600) across restarts.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet } from 'jose';
import { AuthConfig } from '../config/app-config';

const DEV_SECRET_FILE = 'dev-jwt-secret';
export const SECRET_ALGORITHMS = ['HS256', 'HS384', 'HS512'];
export const PUBLIC_KEY_ALGORITHMS = ['RS256', 'PS256', 'ES256'];

export type VerificationKey =
  | { readonly kind: 'secret'; readonly key: Uint8Array; readonly algorithms: string[]; readonly development: boolean }
  | { readonly kind: 'public-key'; readonly key: crypto.KeyObject; readonly algorithms: string[] }
  | { readonly kind: 'jwks'; readonly key: ReturnType<typeof createRemoteJWKSet>; readonly algorithms: string[] };

export function resolveVerificationKey(auth: AuthConfig, dataDir: string): VerificationKey {
  switch (auth.key.kind) {
    case 'secret':
      return { kind: 'secret', key: new TextEncoder().encode(auth.key.secret), algorithms: SECRET_ALGORITHMS, development: false };
    case 'development':
      return { kind: 'secret', key: loadOrCreateDevSecret(dataDir), algorithms: SECRET_ALGORITHMS, development: true };
    case 'public-key':
      return { kind: 'public-key', key: crypto.createPublicKey(auth.key.pem), algorithms: PUBLIC_KEY_ALGORITHMS };
    case 'jwks':
      return { kind: 'jwks', key: createRemoteJWKSet(new URL(auth.key.url)), algorithms: PUBLIC_KEY_ALGORITHMS };
  }
}

/** The development secret: created once with 32 random bytes, then read back on every start. */
export function loadOrCreateDevSecret(dataDir: string): Uint8Array {
  const file = path.join(dataDir, DEV_SECRET_FILE);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds no usable secret; delete it to make a new one`);
  return new TextEncoder().encode(secret);
}
