// Signs access tokens with a shared secret: the development token, the `npm run token` command,
// and tests. Services with a public key configured get their tokens from their identity provider.
import { SignJWT } from 'jose';

export interface MintTokenInput {
  readonly tenantId: string;
  readonly ttlSeconds: number;
  readonly subject?: string;
  readonly issuer?: string | null;
  readonly audience?: string | null;
}

export async function mintToken(secret: Uint8Array, input: MintTokenInput): Promise<string> {
  let jwt = new SignJWT({ tid: input.tenantId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + input.ttlSeconds);
  if (input.subject) jwt = jwt.setSubject(input.subject);
  if (input.issuer) jwt = jwt.setIssuer(input.issuer);
  if (input.audience) jwt = jwt.setAudience(input.audience);
  return jwt.sign(secret);
}

/** Reads a duration such as 90s, 15m, 1h, 7d or a plain number of seconds. */
export function parseTtl(text: string): number | null {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) return null;
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2] as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : null;
}
