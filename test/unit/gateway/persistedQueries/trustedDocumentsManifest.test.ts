// Reading trusted-documents manifests: Apollo's and Relay's formats, lookups by id and by the SHA-256 of
// the text (an APQ hash), normalized texts; a broken manifest is refused as a whole, naming what is wrong.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  normalizedDocumentHash,
  parseTrustedDocumentsManifest,
  TrustedDocumentsManifestError,
} from '../../../../gateway/src/persistedQueries/trustedDocumentsManifest.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const BODY = 'query Users { users(first: 2) { id } }';

test('Apollo manifest: operations by id and by the SHA-256 of their text', { timeout: 10_000 }, () => {
  const manifest = JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'a1', name: 'Users', type: 'query', body: BODY }] });
  const documents = parseTrustedDocumentsManifest(manifest, 'm.json');
  assert.equal(documents.format, 'apollo');
  assert.equal(documents.byId.get('a1'), BODY);
  assert.equal(documents.byBodyHash.get(sha256(BODY)), BODY);
  assert.ok(documents.normalizedHashes.has(normalizedDocumentHash('query Users {\n  users(first: 2) { id } # comment\n}')));
  assert.ok(!documents.normalizedHashes.has(normalizedDocumentHash('query Users { users(first: 3) { id } }')));
});

test('Relay manifest: {"<id>": "<text>"}', { timeout: 10_000 }, () => {
  const documents = parseTrustedDocumentsManifest(JSON.stringify({ r1: BODY }), 'relay.json');
  assert.equal(documents.format, 'relay');
  assert.equal(documents.byId.get('r1'), BODY);
});

test('a broken manifest is refused as a whole, with what is wrong', { timeout: 10_000 }, () => {
  const refuse = (text: string, pattern: RegExp) =>
    assert.throws(() => parseTrustedDocumentsManifest(text, 'm.json'), (error: unknown) => error instanceof TrustedDocumentsManifestError && pattern.test(error.message));
  refuse('{ not json', /not valid JSON/);
  refuse('[]', /must be a JSON object/);
  refuse(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 2, operations: [] }), /expected/);
  refuse(JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'x' }] }), /operations\[0\] needs/);
  refuse(JSON.stringify({ a: BODY, b: 'query { users(' }), /operation "b" does not parse/);
  refuse(JSON.stringify({ a: 42 }), /"a" must be the operation's text/);
  refuse(
    JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: 'x', body: BODY }, { id: 'x', body: '{ me { id } }' }] }),
    /listed twice/,
  );
});
