// X-Forwarded-For is believed only from trusted proxies; then the right-most untrusted hop is the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createClientAddressResolver, normalizeAddress } from '../../../../gateway/src/rateLimit/clientAddress.js';

test('without trusted proxies the socket peer is the client, whatever the header says', { timeout: 10_000 }, () => {
  const resolve = createClientAddressResolver([]);
  assert.equal(resolve('203.0.113.7', '1.2.3.4'), '203.0.113.7');
  assert.equal(resolve('::ffff:203.0.113.7', undefined), '203.0.113.7');
});

test('a spoofed header from an untrusted peer is ignored', { timeout: 10_000 }, () => {
  const resolve = createClientAddressResolver(['10.0.0.0/8']);
  assert.equal(resolve('203.0.113.7', '1.2.3.4, 10.0.0.5'), '203.0.113.7');
});

test('from a trusted proxy: the right-most address that is not a trusted proxy', { timeout: 10_000 }, () => {
  const resolve = createClientAddressResolver(['10.0.0.0/8', '127.0.0.1', 'fd00::/8']);
  assert.equal(resolve('10.1.2.3', '198.51.100.9'), '198.51.100.9');
  // the client forged "1.1.1.1"; the proxies appended the real peer and themselves
  assert.equal(resolve('::ffff:127.0.0.1', '1.1.1.1, 198.51.100.9, 10.0.0.2'), '198.51.100.9');
  assert.equal(resolve('127.0.0.1', ['1.1.1.1', '198.51.100.9']), '198.51.100.9', 'repeated headers');
  assert.equal(resolve('fd00::1', '2001:db8::5'), '2001:db8::5');
  assert.equal(resolve('10.0.0.1', '10.0.0.2, 10.0.0.3'), '10.0.0.2', 'all hops trusted: the left-most');
  assert.equal(resolve('10.0.0.1', 'garbage, 10.0.0.3'), '10.0.0.3', 'a malformed hop ends the chain');
  assert.equal(resolve('10.0.0.1', undefined), '10.0.0.1');
});

test('IPv4-mapped IPv6 peers normalize to IPv4', { timeout: 10_000 }, () => {
  assert.equal(normalizeAddress('::FFFF:192.0.2.1'), '192.0.2.1');
  assert.equal(normalizeAddress(' 2001:DB8::1 '), '2001:db8::1');
});
