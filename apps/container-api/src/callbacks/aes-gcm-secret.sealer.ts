// Callback secrets at rest (contract §13): with SECRETS_KEY set, a secret is stored as
// `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64 parts), AES-256-GCM under the first configured
// key; the key id travels with the value, so that after a rotation the older keys still open
// what they sealed. Without SECRETS_KEY secrets are stored as given. A stored value that is not
// in the sealed form was stored before sealing was turned on, and opens as itself.
//
// SECRETS_KEY: one key, or several separated by commas, the first used to seal; each is
// `[id:]key`, the key 32 bytes written as 64 hex digits or in base64 (standard or URL-safe),
// the id 1-32 of A-Z a-z 0-9 _ -. A key without an id is named by the first 8 hex digits of its
// SHA-256, so that it keeps its name when an id-less key is later listed beside a new one.
import { Result, SecretSealer, err, ok } from '@container-service/batch-domain';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export interface SecretKey {
  readonly id: string;
  readonly key: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
/** Binds a sealed value to what it is, so that it cannot pass for another kind of sealed text. */
const ASSOCIATED_DATA = Buffer.from('container-service callback secret v1');
const SEALED = /^v1:([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/]{16}):([A-Za-z0-9+/]{22}==):([A-Za-z0-9+/]+={0,2})$/;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The keys SECRETS_KEY names, first the one that seals; throws an Error saying what is wrong. */
export function parseSecretsKey(raw: string): SecretKey[] {
  const keys = raw.split(',').map((entry, index) => {
    const text = entry.trim();
    const colon = text.indexOf(':');
    const keyText = colon === -1 ? text : text.slice(colon + 1);
    const key = decodeKey(keyText);
    if (key === null) throw new Error(`SECRETS_KEY entry ${index + 1} must be 32 bytes as 64 hex digits or base64, optionally after 'id:'`);
    const id = colon === -1 ? createHash('sha256').update(key).digest('hex').slice(0, 8) : text.slice(0, colon);
    if (!KEY_ID.test(id)) throw new Error(`SECRETS_KEY entry ${index + 1} has an id that is not 1 to 32 of A-Z a-z 0-9 _ -`);
    return { id, key };
  });
  const ids = keys.map((key) => key.id);
  const repeated = ids.find((id, index) => ids.indexOf(id) !== index);
  if (repeated !== undefined) throw new Error(`SECRETS_KEY names key '${repeated}' twice`);
  return keys;
}

function decodeKey(text: string): Buffer | null {
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return null;
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : null;
}

export class AesGcmSecretSealer implements SecretSealer {
  private readonly keys: ReadonlyMap<string, Buffer>;
  private readonly sealing: SecretKey | null;

  /** With no keys, secrets are stored as given. */
  constructor(keys: readonly SecretKey[]) {
    this.keys = new Map(keys.map((key) => [key.id, key.key]));
    this.sealing = keys[0] ?? null;
  }

  seal(secret: string): string {
    if (this.sealing === null) return secret;
    const iv = randomBytes(12);
    const cipher = createCipheriv(ALGORITHM, this.sealing.key, iv);
    cipher.setAAD(ASSOCIATED_DATA);
    const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return `v1:${this.sealing.id}:${iv.toString('base64')}:${cipher.getAuthTag().toString('base64')}:${sealed.toString('base64')}`;
  }

  open(stored: string): Result<string, string> {
    const parts = SEALED.exec(stored);
    if (parts === null) return ok(stored);
    const [, id, iv, tag, sealed] = parts as unknown as [string, string, string, string, string];
    const key = this.keys.get(id);
    if (key === undefined) {
      return err(
        this.sealing === null
          ? `it was sealed under key '${id}', and SECRETS_KEY is not set`
          : `it was sealed under key '${id}', which SECRETS_KEY does not hold`,
      );
    }
    try {
      const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64'));
      decipher.setAAD(ASSOCIATED_DATA);
      decipher.setAuthTag(Buffer.from(tag, 'base64'));
      return ok(Buffer.concat([decipher.update(Buffer.from(sealed, 'base64')), decipher.final()]).toString('utf8'));
    } catch {
      return err(`it does not open under key '${id}' (altered, or a different key under the same id)`);
    }
  }
}
