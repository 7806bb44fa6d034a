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

/** An IP address ("10.0.0.1", "::1") or a CIDR ("10.0.0.0/8"): the entries of trusted-peer lists in the config. */
export function isAddressOrCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length > 0 || address === undefined) return false;
  const family = isIP(address);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** Whether an address (as a socket reports it) is in a list of addresses and CIDRs (checked by isAddressOrCidr). */
export function createAddressMatcher(entries: readonly string[]): (address: string | undefined) => boolean {
  if (entries.length === 0) return () => false;
  const listed = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) listed.addAddress(normalizeAddress(address), family);
    else listed.addSubnet(normalizeAddress(address), Number(prefix), family);
  }
  return (address) => {
    if (address === undefined) return false;
    const normalized = normalizeAddress(address);
    const family = isIP(normalized);
    return family !== 0 && listed.check(normalized, family === 6 ? 'ipv6' : 'ipv4');
  };
}

export function createClientAddressResolver(trustedProxies: readonly string[]): ClientAddressResolver {
  const isTrusted = createAddressMatcher(trustedProxies);

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
