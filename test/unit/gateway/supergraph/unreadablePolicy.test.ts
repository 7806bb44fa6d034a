// Fail closed on policy the gateway cannot read: a supergraph that applies @authenticated, @requiresScopes,
// @rateLimit without the @link the readers resolve them through, or @policy at all, does not load.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'graphql';
import { SupergraphLoadError, validateSupergraphSdl } from '../../../../gateway/src/supergraph/supergraphFile.js';
import { refuseUnreadablePolicy, UnreadablePolicyError } from '../../../../gateway/src/supergraph/unreadablePolicy.js';
import { linkedFeatures } from '../../../../gateway/src/supergraph/linkedFeatures.js';
import { composeShopSupergraph } from '../../../fixtures/rateLimit/shopSupergraph.js';
import { composeSupergraph } from '../../../support/composeCache.js';
import { repoRoot } from '../../../support/processes.js';

const sample = readFileSync(join(repoRoot, 'supergraph.graphql'), 'utf8');

function edited(sdl: string, from: string, to: string): string {
  const result = sdl.replace(from, to);
  assert.notEqual(result, sdl, `fixture edit applied: ${from}`);
  return result;
}

function refusal(sdl: string): string {
  let message = '';
  assert.throws(
    () => validateSupergraphSdl(sdl, 'edited.graphql'),
    (error: Error) => {
      message = error.message;
      return error instanceof SupergraphLoadError;
    },
  );
  return message;
}

const REQUIRES_SCOPES_LINK = '  @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)\n';
const AUTHENTICATED_LINK = '  @link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)\n';
const RATE_LIMIT_LINK = '  @link(url: "https://github.com/federation-gateway/rateLimit/v1.0", import: ["@rateLimit"])\n';

describe('supergraph policy the gateway cannot read is refused', () => {
  test('the committed sample supergraph and the renamed @throttle fixture load', { timeout: 10_000 }, () => {
    assert.doesNotThrow(() => validateSupergraphSdl(sample, 'supergraph.graphql'));
    assert.doesNotThrow(() => validateSupergraphSdl(composeShopSupergraph().sdl, 'shop'));
  });

  test('@requiresScopes applied without its @link (issue 10, case 6): refused, naming the fields', { timeout: 10_000 }, () => {
    const message = refusal(edited(sample, REQUIRES_SCOPES_LINK, ''));
    assert.match(message, /@requiresScopes without the @link\(url: "https:\/\/specs\.apollo\.dev\/requiresScopes\/v0\.1"/);
    assert.match(message, /User\.email/);
    assert.match(message, /Mutation\.placeOrder/);
    assert.match(message, /fail closed/);
  });

  test('@authenticated applied without its @link: refused', { timeout: 10_000 }, () => {
    assert.match(refusal(edited(sample, AUTHENTICATED_LINK, '')), /@authenticated without .*Query\.me/);
  });

  test('@rateLimit without its @link, or linked at a version the gateway does not implement: refused', { timeout: 10_000 }, () => {
    assert.match(refusal(edited(sample, RATE_LIMIT_LINK, '')), /@rateLimit without .*Query\.users/);
    assert.match(refusal(edited(sample, 'rateLimit/v1.0', 'rateLimit/v2.0')), /@rateLimit without/);
  });

  test('an import renamed so it no longer matches the applied name: refused', { timeout: 10_000 }, () => {
    const renamed = edited(sample, 'import: ["@rateLimit"]', 'import: [{ name: "@rateLimit", as: "@limit" }]');
    refusal(renamed); // federation-internals already refuses this one; our own check names the reason too:
    assert.throws(() => refuseUnreadablePolicy(parse(renamed)), /@rateLimit without .*Query\.users/);
  });

  test('@policy composed from a subgraph (for: SECURITY) is refused; with `for:` stripped it is refused too', { timeout: 10_000 }, () => {
    const sdl = composeSupergraph([
      {
        name: 'reports',
        url: 'http://reports.invalid/graphql',
        sdl: `
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.6", import: ["@key", "@policy"])
      type Query { report: String @policy(policies: [["finance"]]) ok: String }
    `,
      },
    ]);
    assert.match(refusal(sdl), /does not enforce.*policy\/v0\.1/);
    const stripped = edited(sdl, '@link(url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY)', '@link(url: "https://specs.apollo.dev/policy/v0.1")');
    assert.match(refusal(stripped), /@policy, which this gateway does not enforce \(Query\.report\)/);
  });

  test('directives resolved through renames are understood; same-named unlinked ones are not', { timeout: 10_000 }, () => {
    const doc = parse(`
      schema
        @mylink(url: "https://specs.apollo.dev/link/v1.0", as: "mylink")
        @mylink(url: "https://specs.apollo.dev/authenticated/v0.1", import: [{ name: "@authenticated", as: "@loggedIn" }])
        @mylink(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "scopes")
      { query: Query }
      type Query { a: String @loggedIn  b: String @scopes(scopes: [["x"]])  c: String @authenticated }
    `);
    assert.throws(() => refuseUnreadablePolicy(doc), (error: Error) => error instanceof UnreadablePolicyError && /@authenticated without .*\(Query\.c\)/.test(error.message));
    const withoutC = parse(readableCopy(doc));
    assert.doesNotThrow(() => refuseUnreadablePolicy(withoutC));
  });

  test('an understood directive where its reader does not look (an argument, an input field) is refused', { timeout: 10_000 }, () => {
    const doc = parse(`
      schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY) { query: Query }
      input Filter { secret: String @requiresScopes(scopes: [["x"]]) }
      type Query { a(filter: Filter, b: String @requiresScopes(scopes: [["x"]])): String }
    `);
    assert.throws(() => refuseUnreadablePolicy(doc), /@requiresScopes where the gateway does not read it \(Filter\.secret, Query\.a\(b:\)\)/);
  });

  test('policy carried inside @join__directive is refused', { timeout: 10_000 }, () => {
    const doc = parse(`
      schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION) { query: Query }
      type Query { a: String @join__directive(graphs: [A], name: "requiresScopes", args: { scopes: [["x"]] }) b: String @join__directive(graphs: [A], name: "link", args: {}) }
    `);
    assert.throws(() => refuseUnreadablePolicy(doc), /@requiresScopes inside @join__directive.*\(Query\.a\)/);
  });
});

describe('the @link resolver', () => {
  test('import renames, namespace renames and non-root directives follow the link spec', { timeout: 10_000 }, () => {
    const [feature] = linkedFeatures(parse(`schema @link(url: "https://example.com/limits/v1.2/", as: "lim", import: ["@cap", { name: "@throttle", as: "@slow" }]) { query: Query } type Query { a: Int }`));
    assert.equal(feature?.name, 'limits');
    assert.equal(feature?.version, 'v1.2');
    assert.equal(feature?.directiveName('limits'), 'lim');
    assert.equal(feature?.directiveName('cap'), 'cap');
    assert.equal(feature?.directiveName('throttle'), 'slow');
    assert.equal(feature?.directiveName('other'), 'lim__other');
  });
});

/** The renamed-directives document without its unlinked `c` field. */
function readableCopy(doc: ReturnType<typeof parse>): string {
  const text = doc.loc?.source.body ?? '';
  return text.replace('c: String @authenticated', '');
}
