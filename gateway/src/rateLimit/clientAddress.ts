// The client's IP for rate limiting. X-Forwarded-For is only believed when the socket peer is a configured
// trusted proxy: anyone else can put anything in it. Then the client is the right-most address that is not
// itself a trusted proxy (each proxy appends the peer it saw, so addresses to its left may be forged).
import { BlockList, isIP } from 'node:net';

export type ClientAddressResolver = (peerAddress: string | undefined, forwardedFor: string | string[] | undefined) => string;

/** "::ffff:10.0.0.1" (IPv4 on a dual-stack socket) → "10.0.0.1", so one client has one key and IPv4 CIDRs match. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped?.[1] ?? trimmed.toLowerCase();
}

export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressResolver {
  const trusted = new BlockList();
  for (const entry of trustedProxies) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) trusted.addAddress(normalizeAddress(address), family);
    else trusted.addSubnet(normalizeAddress(address), Number(prefix), family);
  }
  const isTrusted = (address: string): boolean => {
    const family = isIP(address);
    return family !== 0 && trusted.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };

  return (peerAddress, forwardedFor) => {
    const peer = normalizeAddress(peerAddress ?? 'unknown');
    if (trustedProxies.length === 0 || !isTrusted(peer) || forwardedFor === undefined) return peer;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
      .split(',')
      .map((hop) => normalizeAddress(hop))
      .filter((hop) => hop.length > 0);
    let client = peer;
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = hops[i]!;
      // A malformed entry ends the chain: the last address a trusted hop vouched for is the best we know.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(hop)) return hop;
    }
    return client;
  };
}
