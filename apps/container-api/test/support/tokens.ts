// Access tokens for tests that drive a service started with AUTH_JWT_SECRET = TEST_SECRET, plus
// the wrong kinds a client might send: expired, for another tenant, badly signed, unsigned.
import { SignJWT } from 'jose';
import { TEST_SECRET } from './test-app';

export type TokenKind = 'valid' | 'bearer' | 'expired' | 'wrong-tenant' | 'bad-signature' | 'unsigned' | 'garbage' | 'empty';

/** The kinds a service must take as the tenant's own. */
export const ACCEPTED_TOKENS: readonly TokenKind[] = ['valid', 'bearer'];

function signToken(tenant: string, options: { expiresAt?: number; secret?: string } = {}): Promise<string> {
  return new SignJWT({ tid: tenant, sub: `user-of-${tenant}` })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(options.expiresAt ?? Math.floor(Date.now() / 1000) + 3600)
    .sign(new TextEncoder().encode(options.secret ?? TEST_SECRET));
}

/** A token of `kind` for `tenant`, minted once per pair (they stay valid for an hour). */
export function tokenCache(): (tenant: string, kind: TokenKind) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  const make = async (tenant: string, kind: TokenKind): Promise<string> => {
    switch (kind) {
      case 'valid':
        return signToken(tenant);
      case 'bearer':
        return `Bearer ${await signToken(tenant)}`;
      case 'expired':
        return signToken(tenant, { expiresAt: Math.floor(Date.now() / 1000) - 120 });
      case 'wrong-tenant':
        return signToken(`${tenant}-other`.slice(0, 64));
      case 'bad-signature':
        return signToken(tenant, { secret: `${TEST_SECRET}-but-not-the-same` });
      case 'unsigned': {
        const body = Buffer.from(JSON.stringify({ tid: tenant, exp: Math.floor(Date.now() / 1000) + 3600 })).toString('base64url');
        return `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
      }
      case 'garbage':
        return 'eyJhbGciOiJIUzI1NiJ9.not-a-token.at-all';
      case 'empty':
        return '';
    }
  };
  return (tenant, kind) => {
    const key = `${kind}\u0000${tenant}`;
    let token = cache.get(key);
    if (!token) cache.set(key, (token = make(tenant, kind)));
    return token;
  };
}
