import { AesGcmSecretSealer, parseSecretsKey } from './aes-gcm-secret.sealer';

const HEX = '00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff';
const B64 = Buffer.alloc(32, 7).toString('base64');

describe('parseSecretsKey', () => {
  it('reads one key in hex or base64, naming an id-less key by its hash', () => {
    const [hex] = parseSecretsKey(HEX);
    expect(hex!.key).toEqual(Buffer.from(HEX, 'hex'));
    expect(hex!.id).toMatch(/^[0-9a-f]{8}$/);
    expect(parseSecretsKey(B64)[0]!.key).toEqual(Buffer.alloc(32, 7));
    expect(parseSecretsKey(Buffer.alloc(32, 255).toString('base64url'))[0]!.key).toEqual(Buffer.alloc(32, 255));
  });

  it('reads several keys for rotation, the first one sealing', () => {
    expect(parseSecretsKey(`k2:${B64}, k1:${HEX}`).map((k) => k.id)).toEqual(['k2', 'k1']);
    expect(parseSecretsKey(`k2:${B64},${HEX}`)[1]!.id).toBe(parseSecretsKey(HEX)[0]!.id);
  });

  it.each([
    ['too short', 'abcd'],
    ['16 bytes', Buffer.alloc(16).toString('base64')],
    ['33 bytes of hex', `${HEX}00`],
    ['a bad id', `bad id:${HEX}`],
    ['an empty entry', `${HEX},`],
    ['a repeated id', `a:${HEX},a:${B64}`],
  ])('refuses %s', (_name, raw) => {
    expect(() => parseSecretsKey(raw)).toThrow(/SECRETS_KEY/);
  });
});

describe('AesGcmSecretSealer', () => {
  const sealer = new AesGcmSecretSealer(parseSecretsKey(`k1:${HEX}`));

  it('seals into v1:<keyId>:<iv>:<tag>:<ciphertext>, differently each time, and opens it back', () => {
    const one = sealer.seal('cb-secret');
    expect(one).toMatch(/^v1:k1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{22}==:[A-Za-z0-9+/=]+$/);
    expect(one).not.toContain('cb-secret');
    expect(sealer.seal('cb-secret')).not.toBe(one);
    expect(sealer.open(one)).toEqual({ ok: true, value: 'cb-secret' });
  });

  it('opens what an older key sealed after a rotation', () => {
    const sealedByOld = sealer.seal('old-one');
    const rotated = new AesGcmSecretSealer(parseSecretsKey(`k2:${B64},k1:${HEX}`));
    expect(rotated.open(sealedByOld)).toEqual({ ok: true, value: 'old-one' });
    expect(rotated.seal('new-one')).toMatch(/^v1:k2:/);
  });

  it('says why it cannot open a value sealed under a key not configured, or altered', () => {
    const sealed = sealer.seal('s');
    expect(new AesGcmSecretSealer(parseSecretsKey(`k2:${B64}`)).open(sealed)).toEqual({
      ok: false,
      error: expect.stringMatching(/key 'k1', which SECRETS_KEY does not hold/),
    });
    expect(new AesGcmSecretSealer([]).open(sealed)).toEqual({ ok: false, error: expect.stringMatching(/SECRETS_KEY is not set/) });
    const altered = sealed.replace(/:([A-Za-z0-9+/])([^:]*)$/, (_m, first: string, rest: string) => `:${first === 'A' ? 'B' : 'A'}${rest}`);
    expect(sealer.open(altered)).toEqual({ ok: false, error: expect.stringMatching(/does not open/) });
    expect(new AesGcmSecretSealer(parseSecretsKey(`k1:${B64}`)).open(sealed)).toEqual({ ok: false, error: expect.stringMatching(/does not open/) });
  });

  it('stores as given without keys, and opens a value stored before sealing was turned on as itself', () => {
    expect(new AesGcmSecretSealer([]).seal('plain')).toBe('plain');
    expect(sealer.open('plain-old-secret')).toEqual({ ok: true, value: 'plain-old-secret' });
  });
});
