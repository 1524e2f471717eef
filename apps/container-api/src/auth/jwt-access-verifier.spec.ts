import { SignJWT, exportSPKI } from 'jose';
import { generateKeyPairSync, createPublicKey } from 'node:crypto';
import { JwtAccessVerifier } from './jwt-access-verifier';
import { PUBLIC_KEY_ALGORITHMS, SECRET_ALGORITHMS, VerificationKey } from './signing-key';

const SECRET = new TextEncoder().encode('unit-test-secret-that-is-32-bytes-or-more');
const secretKey: VerificationKey = { kind: 'secret', key: SECRET, algorithms: SECRET_ALGORITHMS, development: false };
const NOW = Date.UTC(2026, 5, 1);
const sign = (claims: Record<string, unknown>, expSeconds = NOW / 1000 + 600) =>
  new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setExpirationTime(expSeconds).sign(SECRET);

describe('JwtAccessVerifier', () => {
  it('yields the tenant and subject of a valid token', async () => {
    const verifier = new JwtAccessVerifier(secretKey, { now: () => NOW });
    const result = await verifier.verify(await sign({ tid: 'acme', sub: 'svc-1' }), 'acme');
    expect(result).toEqual({ ok: true, value: { tenantId: 'acme', subject: 'svc-1' } });
  });

  it('serves a repeated token from its cache until the token expires', async () => {
    let now = NOW;
    const verifier = new JwtAccessVerifier(secretKey, { now: () => now });
    const token = await sign({ tid: 'acme' }, NOW / 1000 + 60);
    expect((await verifier.verify(token, 'acme')).ok).toBe(true);
    expect((await verifier.verify(token, 'globex')).ok).toBe(false);
    now = NOW + 61_000;
    const expired = await verifier.verify(token, 'acme');
    expect(!expired.ok && expired.error.message).toMatch(/expired/);
  });

  it('checks issuer and audience when configured', async () => {
    const verifier = new JwtAccessVerifier(secretKey, { now: () => NOW, issuer: 'https://idp', audience: 'containers' });
    const good = await new SignJWT({ tid: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://idp')
      .setAudience('containers')
      .setExpirationTime(NOW / 1000 + 60)
      .sign(SECRET);
    expect((await verifier.verify(good, 'acme')).ok).toBe(true);
    const wrongIssuer = await new SignJWT({ tid: 'acme' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('https://evil')
      .setAudience('containers')
      .setExpirationTime(NOW / 1000 + 60)
      .sign(SECRET);
    const result = await verifier.verify(wrongIssuer, 'acme');
    expect(!result.ok && result.error.message).toMatch(/iss/);
  });

  describe('with a public key', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const rsaKey: VerificationKey = { kind: 'public-key', key: rsa.publicKey, algorithms: PUBLIC_KEY_ALGORITHMS };

    it.each(['RS256', 'PS256'])('accepts %s', async (alg) => {
      const token = await new SignJWT({ tid: 'acme' })
        .setProtectedHeader({ alg })
        .setExpirationTime(NOW / 1000 + 60)
        .sign(rsa.privateKey);
      expect((await new JwtAccessVerifier(rsaKey, { now: () => NOW }).verify(token, 'acme')).ok).toBe(true);
    });

    it('accepts ES256 against an EC key', async () => {
      const token = await new SignJWT({ tid: 'acme' })
        .setProtectedHeader({ alg: 'ES256' })
        .setExpirationTime(NOW / 1000 + 60)
        .sign(ec.privateKey);
      const verifier = new JwtAccessVerifier({ kind: 'public-key', key: ec.publicKey, algorithms: PUBLIC_KEY_ALGORITHMS }, { now: () => NOW });
      expect((await verifier.verify(token, 'acme')).ok).toBe(true);
    });

    it('refuses algorithm confusion: an HS256 token signed with the public key as secret', async () => {
      const pem = await exportSPKI(createPublicKey(rsa.publicKey.export({ type: 'spki', format: 'pem' })));
      const forged = await new SignJWT({ tid: 'acme' })
        .setProtectedHeader({ alg: 'HS256' })
        .setExpirationTime(NOW / 1000 + 60)
        .sign(new TextEncoder().encode(pem));
      const result = await new JwtAccessVerifier(rsaKey, { now: () => NOW }).verify(forged, 'acme');
      expect(!result.ok && result.error.code).toBe('UNAUTHORIZED');
    });

    it('refuses a token signed by another key', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const token = await new SignJWT({ tid: 'acme' })
        .setProtectedHeader({ alg: 'RS256' })
        .setExpirationTime(NOW / 1000 + 60)
        .sign(other.privateKey);
      const result = await new JwtAccessVerifier(rsaKey, { now: () => NOW }).verify(token, 'acme');
      expect(!result.ok && result.error.message).toMatch(/signature/);
    });
  });
});
