// Where callbacks may go. Unless the operator allows private networks, a callback URL must
// resolve only to public addresses: loopback, private (RFC 1918), link-local, unique-local,
// unspecified, carrier-grade NAT, multicast and reserved ranges are refused, in IPv4, IPv6 and
// IPv4-mapped IPv6 form. The check runs at submit and again at delivery, on the very address the
// connection then uses, so a DNS change cannot turn an accepted URL into a way inside.
import type { Violation } from '@container-service/batch-domain';
import dns from 'node:dns';
import { BlockList, isIP } from 'node:net';

const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", unspecified
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique-local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
  ['64:ff9b::', 96], // NAT64 can reach IPv4 insides
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}

/** True when `address` (an IP literal) is not a public unicast address. */
export function isRefusedAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return refused.check(address, 'ipv4');
  if (family !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address) ?? /^::(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return refused.check(mapped[1]!, 'ipv4');
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hexMapped) {
    const high = parseInt(hexMapped[1]!, 16);
    const low = parseInt(hexMapped[2]!, 16);
    return refused.check(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, 'ipv4');
  }
  return refused.check(address, 'ipv6');
}

export type Resolver = (host: string) => Promise<string[]>;

export const systemResolver: Resolver = async (host) => (await dns.promises.lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/** The host of a URL without IPv6 brackets. */
const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

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
    return inside === undefined ? null : { path, message: `must not point to a loopback, private, link-local or otherwise internal address (${host} is ${inside})` };
  }

  /**
   * A `lookup` for node:http(s) that resolves like the system does and fails for internal
   * addresses, so the address checked is the address connected to.
   */
  lookup(): (hostname: string, options: dns.LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => void {
    return (hostname, options, callback) => {
      dns.lookup(hostname, { ...options, all: true, verbatim: true }, (error, entries) => {
        if (error) return callback(error, '', 4);
        const list = entries as dns.LookupAddress[];
        const allowed = this.allowPrivateNetworks ? list : list.filter((entry) => !isRefusedAddress(entry.address));
        if (allowed.length === 0 || allowed.length < list.length) {
          const refusedError: NodeJS.ErrnoException = new Error(`callback host ${hostname} resolves to an internal address`);
          refusedError.code = 'ECALLBACKADDRESS';
          return callback(refusedError, '', 4);
        }
        if (options.all) return callback(null, allowed);
        return callback(null, allowed[0]!.address, allowed[0]!.family);
      });
    };
  }
}
