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

  // IPv4 ranges that are not 'unicast' by IANA's special-purpose registry.
  it.each(['192.0.0.8', '192.0.2.1', '198.51.100.7', '203.0.113.9', '198.18.0.1', '198.19.255.255', '192.88.99.1', '240.0.0.1', '192.175.48.1'])(
    'refuses the special-purpose IPv4 address %s',
    (address) => {
      expect(isRefusedAddress(address)).toBe(true);
    },
  );

  // Every IPv6 form that can lead back to an IPv4 address, or is not global unicast.
  it.each([
    ['IPv4-compatible loopback', '::7f00:1'],
    ['IPv4-compatible loopback, dotted', '::127.0.0.1'],
    ['IPv4-compatible private', '::a00:1'],
    ['IPv4-compatible public', '::808:808'],
    ['IPv4-mapped, dotted, private', '::ffff:192.168.1.1'],
    ['IPv4-mapped, expanded', '0:0:0:0:0:ffff:7f00:1'],
    ['IPv4-mapped unspecified', '::ffff:0.0.0.0'],
    ['IPv4-translated loopback', '::ffff:0:7f00:1'],
    ['IPv4-translated public', '::ffff:0:808:808'],
    ['IPv4-translated, dotted', '::ffff:0:127.0.0.1'],
    ['6to4 of loopback', '2002:7f00:1::'],
    ['6to4 of a public address', '2002:808:808::1'],
    ['NAT64 well-known prefix', '64:ff9b::7f00:1'],
    ['NAT64 well-known prefix, dotted', '64:ff9b::10.0.0.1'],
    ['NAT64 local-use prefix', '64:ff9b:1::a00:1'],
    ['Teredo', '2001::1'],
    ['Teredo with a mapped server', '2001:0:4136:e378:8000:63bf:3fff:fdd2'],
    ['site-local', 'fec0::1'],
    ['site-local, top of range', 'feff::1'],
    ['unique-local', 'fdff:ffff::1'],
    ['link-local with a zone', 'fe80::1%eth0'],
    ['multicast', 'ff02::1'],
    ['documentation', '2001:db8::1'],
    ['documentation (3fff::/20)', '3fff::1'],
    ['benchmarking', '2001:2::1'],
    ['ORCHIDv2', '2001:20::1'],
    ['discard-only', '100::1'],
    ['segment routing', '5f00::1'],
    ['outside 2000::/3', '4000::1'],
    ['unspecified, expanded', '0:0:0:0:0:0:0:0'],
    ['loopback, expanded', '0:0:0:0:0:0:0:1'],
  ])('refuses %s (%s)', (_name, address) => {
    expect(isRefusedAddress(address)).toBe(true);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700::1111',
    '2a00:1450:4001:80b::200e',
    '2001:4860:4860::8888',
    '::ffff:8.8.8.8',
    '::ffff:808:808',
  ])('allows %s', (address) => {
    expect(isRefusedAddress(address)).toBe(false);
  });
});

describe('CallbackAddressGuard', () => {
  const resolver = async (host: string) => {
    const table: Record<string, string[]> = {
      'hooks.example.com': ['93.184.216.34'],
      'sneaky.example.com': ['93.184.216.34', '10.0.0.5'],
      'v6.example.com': ['fd00::1'],
    };
    if (!table[host]) throw new Error('ENOTFOUND');
    return table[host];
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
    ['http://[::7f00:1]/x', /::7f00:1/],
    ['http://[::ffff:0:7f00:1]/x', /internal/],
    ['http://[2002:a00:1::]/x', /internal/],
    ['http://[64:ff9b:1::a00:1]/x', /internal/],
    ['http://[fec0::1]/x', /internal/],
    ['http://0x7f.1/x', /127\.0\.0\.1/],
    ['http://2130706433/x', /127\.0\.0\.1/],
  ])('refuses %s', async (url, message) => {
    const violation = await guard.check(url);
    expect(violation?.path).toBe('callback.url');
    expect(violation?.message).toMatch(message);
  });

  it('lets everything through when private networks are allowed', async () => {
    expect(await new CallbackAddressGuard(true, resolver).check('http://127.0.0.1/x')).toBeNull();
  });

  it('refuses an internal IP literal before connecting, and lets a public one through', () => {
    expect(guard.refuseLiteral('[::ffff:7f00:1]')?.code).toBe('ECALLBACKADDRESS');
    expect(guard.refuseLiteral('10.0.0.1')?.code).toBe('ECALLBACKADDRESS');
    expect(guard.refuseLiteral('8.8.8.8')).toBeNull();
    expect(guard.refuseLiteral('hooks.example.com')).toBeNull();
    expect(new CallbackAddressGuard(true, resolver).refuseLiteral('127.0.0.1')).toBeNull();
  });

  it('refuses at connection time a name that resolves inside', async () => {
    const lookup = guard.lookup();
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('localhost', {}, (e) => resolve(e)));
    expect(error?.code).toBe('ECALLBACKADDRESS');
  });
});
