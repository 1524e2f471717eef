// Where callbacks may go. Unless the operator allows private networks, a callback URL must
// resolve only to global unicast addresses: what ipaddr.js's range() calls 'unicast' in IPv4, and
// in IPv6 a 'unicast' address inside 2000::/3. Everything else is refused, so a range nobody
// thought of is refused too; that covers loopback, private, link-local, unique-local, site-local,
// carrier-grade NAT, multicast, documentation and reserved ranges, and the IPv6 transition forms
// that can lead back to an IPv4 address (IPv4-compatible ::a.b.c.d, IPv4-translated
// ::ffff:0:a.b.c.d, 6to4 2002::/16, Teredo 2001::/32, NAT64 64:ff9b::/96 and 64:ff9b:1::/48).
// An IPv4-mapped address (::ffff:a.b.c.d) is judged as the IPv4 address it is. The check runs at
// submit and again at delivery, on the very address the connection then uses, so a DNS change
// cannot turn an accepted URL into a way inside.
import type { Violation } from '@container-service/batch-domain';
import ipaddr from 'ipaddr.js';
import dns from 'node:dns';
import { isIP } from 'node:net';

const GLOBAL_UNICAST_V6 = ipaddr.IPv6.parse('2000::');

/** True when `address` (an IP literal) is not a global unicast address. */
export function isRefusedAddress(address: string): boolean {
  if (isIP(address) === 0) return true;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address);
  } catch {
    return true;
  }
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) return isRefusedV4(v6.toIPv4Address());
    return !(v6.range() === 'unicast' && v6.match(GLOBAL_UNICAST_V6, 3));
  }
  return isRefusedV4(parsed as ipaddr.IPv4);
}

const isRefusedV4 = (address: ipaddr.IPv4): boolean => address.range() !== 'unicast';

export type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await dns.promises.lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** The host of a URL without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/** The error a connection fails with when its address is refused. */
export const REFUSED_ADDRESS_CODE = 'ECALLBACKADDRESS';

export class CallbackAddressGuard {
  constructor(
    readonly allowPrivateNetworks: boolean,
    private readonly resolve: Resolver = systemResolver,
  ) {}

  /** Why a callback URL may not be used, or null. Only for URLs already known to be absolute http(s). */
  async check(rawUrl: string, path = 'callback.url'): Promise<Violation | null> {
    if (this.allowPrivateNetworks) return null;
    const host = hostOf(new URL(rawUrl));
    let addresses: string[];
    try {
      addresses = isIP(host) ? [host] : await this.resolve(host);
    } catch {
      return { path, message: `host '${host}' does not resolve` };
    }
    if (addresses.length === 0) return { path, message: `host '${host}' does not resolve` };
    const inside = addresses.find(isRefusedAddress);
    return inside === undefined
      ? null
      : {
          path,
          message: `must point to a public (global unicast) address, not a loopback, private, link-local or otherwise internal one (${host} is ${inside})`,
        };
  }

  /**
   * The error to fail a connection to an IP literal with, or null. node:net connects to an IP
   * literal without calling `lookup`, so the sender asks this first.
   */
  refuseLiteral(host: string): NodeJS.ErrnoException | null {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    if (this.allowPrivateNetworks || isIP(bare) === 0 || !isRefusedAddress(bare)) return null;
    return refusedError(`callback address ${bare} is an internal address`);
  }

  /**
   * A `lookup` for node:http(s) that resolves like the system does and fails for internal
   * addresses, so the address checked is the address connected to.
   */
  lookup(): (
    hostname: string,
    options: dns.LookupOptions,
    callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
  ) => void {
    return (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true, verbatim: true }, (error, list) => {
        if (error) {
          callback(error, '', 4);
          return;
        }
        const allowed = this.allowPrivateNetworks ? list : list.filter((entry) => !isRefusedAddress(entry.address));
        const [first] = allowed;
        if (first === undefined || allowed.length < list.length) {
          callback(refusedError(`callback host ${hostname} resolves to an internal address`), '', 4);
          return;
        }
        if (options.all) callback(null, allowed);
        else callback(null, first.address, first.family);
      });
    };
  }
}

function refusedError(message: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(message);
  error.code = REFUSED_ADDRESS_CODE;
  return error;
}
