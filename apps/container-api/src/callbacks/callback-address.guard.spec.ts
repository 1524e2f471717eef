import { CallbackAddressGuard, isRefusedAddress } from './callback-address.guard';

describe('isRefusedAddress', () => {
  it.each([
    '127.0.0.1',
    '127.8.9.10',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '::1',
    '::',
    'fe80::1',
    'fc00::1',
    'fd12:3456::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::ffff:a9fe:a9fe',
    'not-an-ip',
  ])('refuses %s', (address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('allows %s', (address) => {
    expect(isRefusedAddress(address)).toBe(false);
  });
});

describe('CallbackAddressGuard', () => {
  const resolver = async (host: string) => {
    const table: Record<string, string[]> = { 'hooks.example.com': ['93.184.216.34'], 'sneaky.example.com': ['93.184.216.34', '10.0.0.5'], 'v6.example.com': ['fd00::1'] };
    if (!table[host]) throw new Error('ENOTFOUND');
    return table[host]!;
  };
  const guard = new CallbackAddressGuard(false, resolver);

  it('allows a host that resolves to public addresses only', async () => {
    expect(await guard.check('https://hooks.example.com/x')).toBeNull();
    expect(await guard.check('https://8.8.8.8/x')).toBeNull();
  });

  it.each([
    ['http://127.0.0.1:8080/x', /127\.0\.0\.1/],
    ['http://[::1]/x', /::1/],
    ['http://[::ffff:127.0.0.1]/x', /internal/],
    ['http://169.254.169.254/latest', /internal/],
    ['https://sneaky.example.com/x', /10\.0\.0\.5/],
    ['https://v6.example.com/x', /fd00::1/],
    ['https://nowhere.invalid/x', /does not resolve/],
  ])('refuses %s', async (url, message) => {
    const violation = await guard.check(url);
    expect(violation?.path).toBe('callback.url');
    expect(violation?.message).toMatch(message);
  });

  it('lets everything through when private networks are allowed', async () => {
    expect(await new CallbackAddressGuard(true, resolver).check('http://127.0.0.1/x')).toBeNull();
  });

  it('refuses at connection time a name that resolves inside', async () => {
    const lookup = guard.lookup();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(error?.code).toBe('ECALLBACKADDRESS');
  });
});
