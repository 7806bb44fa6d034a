// Authorization: policy read from a composed supergraph, and the operation rewrite.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse, print, validate, type DocumentNode } from 'graphql';
import { Supergraph } from '@apollo/federation-internals';
import { readAuthorizationPolicy, policyDirectiveNames, AuthorizationPolicyError } from '../../../../gateway/src/authorization/authorizationPolicy.js';
import { createAuthorizationRewriter } from '../../../../gateway/src/authorization/removeUnauthorizedFields.js';
import { buildDemandPolicy } from '../../../../gateway/src/policy/demandPolicy.js';
import { demandControlConfigSchema } from '../../../../gateway/src/policy/demandControlConfig.js';
import { createOperationAnalyzer } from '../../../../gateway/src/policy/operationAnalysis.js';
import type { AuthIdentity } from '../../../../gateway/src/auth/authIdentity.js';
import { SupergraphLoadError, validateSupergraphSdl } from '../../../../gateway/src/supergraph/supergraphFile.js';
import { composeSupergraph } from '../../../support/composeCache.js';
import { repoRoot } from '../../../support/processes.js';

const fixture = (name: string) => readFileSync(`${repoRoot}/test/fixtures/auth/${name}.graphql`, 'utf8');
const supergraphSdl = composeSupergraph([
  { name: 'accounts', url: 'http://accounts.invalid', sdl: fixture('accounts') },
  { name: 'billing', url: 'http://billing.invalid', sdl: fixture('billing') },
]);
// supportedFeatures: null: the test builds the API schema without the SECURITY-feature check.
const schema = Supergraph.build(supergraphSdl, { supportedFeatures: null }).apiSchema().toGraphQLJSSchema();
const policy = readAuthorizationPolicy(supergraphSdl);

const user = (...scopes: string[]): AuthIdentity => ({ subject: 'user-1', scopes, roles: [], claims: {}, kind: 'user', tier: 'authenticated' });

const demandPolicy = buildDemandPolicy(parse(supergraphSdl), demandControlConfigSchema.parse({}));
const analyze = createOperationAnalyzer({ demandPolicyFor: () => demandPolicy, maxFields: 1000 });
const removeUnauthorizedFields = createAuthorizationRewriter();

/** The rewrite as the policy pipeline runs it: on the operation analysis (coerced variables). */
function rewrite(query: string, auth: AuthIdentity | null, variables: Record<string, unknown> = {}, operationName?: string) {
  const original: DocumentNode = parse(query);
  assert.deepEqual(validate(schema, original), [], 'fixture query must be valid');
  const analyzed = analyze({ schema, document: original, operationName, variables });
  assert.equal(analyzed.kind, 'analyzed');
  const result = removeUnauthorizedFields({ analysis: (analyzed as Extract<typeof analyzed, { kind: 'analyzed' }>).analysis, policy, auth });
  const document = result.rewritten === undefined ? original : (result.rewritten?.document ?? null);
  if (document && document !== original) assert.deepEqual(validate(schema, document), [], 'rewritten document must stay valid');
  return { ...result, document, printed: document ? print(document) : null, original };
}
const paths = (removed: { path: string[] }[]) => removed.map((r) => r.path.join('.')).sort();

describe('policy from the supergraph', () => {
  test('field and type level, including entity fields of another subgraph', { timeout: 10_000 }, () => {
    assert.deepEqual(policy.fields.get('User.email'), { authenticated: false, scopeAlternatives: [[['users:read:email']]] });
    assert.deepEqual(policy.fields.get('Query.me'), { authenticated: true, scopeAlternatives: [] });
    assert.deepEqual(policy.fields.get('Invoice.internalNote')?.scopeAlternatives, [[['billing:admin']]]);
    assert.equal(policy.types.get('Secret')?.authenticated, true);
    assert.deepEqual(policy.types.get('AuditLog')?.scopeAlternatives, [[['audit']]]);
  });

  test('the sample subgraphs (users, orders) compose into the sample policy', { timeout: 10_000 }, () => {
    const sampleSdl = (name: string) => readFileSync(`${repoRoot}/subgraphs/${name}/schema.graphql`, 'utf8');
    const sample = readAuthorizationPolicy(composeSupergraph(['users', 'orders'].map((name) => ({ name, url: `http://${name}.invalid`, sdl: sampleSdl(name) }))));
    assert.equal(sample.fields.get('Query.me')?.authenticated, true);
    assert.deepEqual(sample.fields.get('User.email')?.scopeAlternatives, [[['users:read:email']]]);
    assert.deepEqual(sample.fields.get('Mutation.placeOrder')?.scopeAlternatives, [[['orders:write']]]);
  });

  test('renamed directives are resolved through @link (import as, feature as, renamed @link)', { timeout: 10_000 }, () => {
    const doc = parse(`
      schema
        @mylink(url: "https://specs.apollo.dev/link/v1.0", as: "mylink")
        @mylink(url: "https://specs.apollo.dev/authenticated/v0.1", import: [{ name: "@authenticated", as: "@loggedIn" }], for: SECURITY)
        @mylink(url: "https://specs.apollo.dev/requiresScopes/v0.1", as: "scopes", for: SECURITY)
      { query: Query }
      type Query { a: String @loggedIn  b: String @scopes(scopes: [["x"]])  c: String @authenticated  d: String @requiresScopes(scopes: [["y"]]) }
    `);
    assert.deepEqual(policyDirectiveNames(doc), { authenticated: 'loggedIn', requiresScopes: 'scopes' });
    const renamed = readAuthorizationPolicy(doc);
    assert.deepEqual([...renamed.fields.keys()].sort(), ['Query.a', 'Query.b']);
  });

  test('a malformed @requiresScopes fails the supergraph load, not every request', { timeout: 10_000 }, () => {
    const broken = supergraphSdl.replace('@requiresScopes(scopes: [["pii"]])', '@requiresScopes(scopes: [[1]])');
    assert.notEqual(broken, supergraphSdl);
    assert.throws(() => validateSupergraphSdl(broken, 'broken.graphql'), (error: Error) => error instanceof SupergraphLoadError && /must be a list of lists of strings/.test(error.message));
    assert.doesNotThrow(() => validateSupergraphSdl(supergraphSdl, 'fixture.graphql'));
  });

  test('an unknown version of a policy feature fails the load (closed)', { timeout: 10_000 }, () => {
    const doc = parse(`schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/authenticated/v0.2", for: SECURITY) { query: Query } type Query { a: String }`);
    assert.throws(() => readAuthorizationPolicy(doc), AuthorizationPolicyError);
  });
});

describe('removing unauthorized fields', () => {
  test('nothing to remove returns the same document', { timeout: 10_000 }, () => {
    const { document, original, removed } = rewrite('{ publicInfo user(id: "1") { name } }', null);
    assert.equal(document, original);
    assert.deepEqual(removed, []);
  });

  test('field-level: email removed for a caller without the scope, kept with it', { timeout: 10_000 }, () => {
    const denied = rewrite('{ user(id: "1") { name email } }', user());
    assert.deepEqual(denied.removed, [{ path: ['user', 'email'], coordinate: 'User.email' }]);
    assert.doesNotMatch(denied.printed!, /email/);
    assert.equal(rewrite('{ user(id: "1") { name email } }', user('users:read:email')).removed.length, 0);
  });

  test('anonymous: @authenticated root field removed; nothing left → document null', { timeout: 10_000 }, () => {
    const { document, removed } = rewrite('{ me { name } }', null);
    assert.equal(document, null);
    assert.deepEqual(removed, [{ path: ['me'], coordinate: 'Query.me' }]);
  });

  test('aliases: paths use response keys, each alias reported', { timeout: 10_000 }, () => {
    const { removed } = rewrite('{ a: user(id: "1") { mail: email name } b: user(id: "2") { email name } }', user());
    assert.deepEqual(paths(removed), ['a.mail', 'b.email']);
  });

  test('lists are marked with @', { timeout: 10_000 }, () => {
    assert.deepEqual(paths(rewrite('{ users { id email } }', user()).removed), ['users.@.email']);
  });

  test('named fragment used in several places: removed everywhere, reported per use', { timeout: 10_000 }, () => {
    const { printed, removed } = rewrite(`
      query Q { user(id: "1") { ...U } users { ...U } }
      fragment U on User { id email }`, user());
    assert.deepEqual(paths(removed), ['user.email', 'users.@.email']);
    assert.doesNotMatch(printed!, /email/);
    assert.match(printed!, /fragment U on User/);
  });

  test('a fragment that becomes empty is dropped with its spread; the parent field goes too', { timeout: 10_000 }, () => {
    const { printed, removed } = rewrite(`
      query Q($id: ID!) { publicInfo user(id: $id) { ...Private } }
      fragment Private on User { email }`, user(), { id: '1' });
    assert.deepEqual(paths(removed).sort(), ['user', 'user.email']);
    assert.doesNotMatch(printed!, /fragment|\$id/);
  });

  test('inline fragments on a union member', { timeout: 10_000 }, () => {
    const { removed } = rewrite('{ search(text: "x") { ... on User { name email } ... on Document { title body } } }', user('users:read:email'));
    assert.deepEqual(removed, [{ path: ['search', '@', 'body'], coordinate: 'Document.body' }]);
  });

  test('interfaces: abstract return types need every implementation’s type policy (fail closed)', { timeout: 10_000 }, () => {
    // Node has an implementation (AuditLog) that needs `audit`: without it, `node` is removed.
    assert.deepEqual(paths(rewrite('{ node(id: "1") { id } }', user()).removed), ['node']);
    assert.deepEqual(rewrite('{ node(id: "1") { id ... on Document { title } } }', user('audit')).removed, []);
  });

  test('type-level @authenticated applies to every field returning the type', { timeout: 10_000 }, () => {
    assert.deepEqual(rewrite('{ user(id: "1") { name secret { code } } }', null).removed, [{ path: ['user', 'secret'], coordinate: 'User.secret' }]);
    assert.equal(rewrite('{ user(id: "1") { name secret { code } } }', user()).removed.length, 0);
  });

  test('type-level policy on scalars and enums applies to fields returning them', { timeout: 10_000 }, () => {
    assert.deepEqual(paths(rewrite('{ user(id: "1") { name risk tier } }', null).removed), ['user.risk', 'user.tier']);
    assert.deepEqual(paths(rewrite('{ user(id: "1") { name risk tier } }', user()).removed), ['user.risk']);
    assert.deepEqual(rewrite('{ user(id: "1") { name risk tier } }', user('risk:read')).removed, []);
  });

  test('entity field contributed by another subgraph', { timeout: 10_000 }, () => {
    const { removed } = rewrite('{ user(id: "1") { invoices { id internalNote } } }', user());
    assert.deepEqual(removed, [{ path: ['user', 'invoices', '@', 'internalNote'], coordinate: 'Invoice.internalNote' }]);
  });

  test('scopes: inner list AND, outer list OR', { timeout: 10_000 }, () => {
    const q = '{ user(id: "1") { phone name } }';
    assert.equal(rewrite(q, user('a')).removed.length, 1, 'a alone is not enough');
    assert.equal(rewrite(q, user('b')).removed.length, 1, 'b alone is not enough');
    assert.equal(rewrite(q, user('a', 'b')).removed.length, 0, 'a AND b');
    assert.equal(rewrite(q, user('admin')).removed.length, 0, 'OR admin');
    assert.equal(rewrite(q, null).removed.length, 1, 'anonymous');
  });

  test('mutations: an unauthorized mutation field is removed, authorized ones stay', { timeout: 10_000 }, () => {
    const { printed, removed } = rewrite('mutation M($n: String) { placeOrder(note: $n) ping }', user(), { n: 'x' });
    assert.deepEqual(paths(removed), ['placeOrder']);
    assert.equal(printed, 'mutation M {\n  ping\n}');
  });

  test('skipped selections are removed without an error', { timeout: 10_000 }, () => {
    const { removed, printed } = rewrite('query($s: Boolean!) { publicInfo user(id: "1") { name email @skip(if: $s) } }', user(), { s: true });
    assert.deepEqual(removed, []);
    assert.doesNotMatch(printed!, /email/);
  });

  test('a defaulted variable in @skip/@include applies its default (issue 10, case 1: was an HTTP 500)', { timeout: 10_000 }, () => {
    const query = 'query Q($s: Boolean = true) { user(id: "1") { name @skip(if: $s) id email } }';
    const skipped = rewrite(query, user());
    assert.deepEqual(skipped.removed, [{ path: ['user', 'email'], coordinate: 'User.email' }]);
    assert.match(skipped.printed!, /name @skip\(if: \$s\)/, 'the skip stays for execution to apply');
    const protectedSkipped = rewrite('query Q($s: Boolean = true) { user(id: "1") { name email @skip(if: $s) } }', user());
    assert.deepEqual(protectedSkipped.removed, [], 'the protected field does not run: no error');
    assert.doesNotMatch(protectedSkipped.printed!, /email/);
    assert.deepEqual(rewrite('query Q($s: Boolean = true) { user(id: "1") { name email @skip(if: $s) } }', user(), { s: false }).removed.length, 1);
  });

  test('the rewrite depends on the denied fields only: one document and query hash per set, whatever the variables', { timeout: 10_000 }, () => {
    const query = parse('query Q($s: Boolean!) { user(id: "1") { name email @include(if: $s) } }');
    const run = (s: boolean, auth: AuthIdentity) => {
      const analyzed = analyze({ schema, document: query, variables: { s } });
      return removeUnauthorizedFields({ analysis: (analyzed as Extract<typeof analyzed, { kind: 'analyzed' }>).analysis, policy, auth });
    };
    const a = run(true, user());
    const b = run(false, user('other'));
    assert.ok(a.rewritten && a.rewritten === b.rewritten, 'same object: the plan cache is shared by callers with the same denials');
    assert.equal(run(true, user('users:read:email')).rewritten, undefined, 'a caller with the scope runs the client document');
  });

  test('only the selected operation is kept', { timeout: 10_000 }, () => {
    const { printed } = rewrite('query A { user(id: "1") { email name } } query B { publicInfo }', user(), {}, 'A');
    assert.doesNotMatch(printed!, /query B/);
  });

  test('a removed non-null field nulls its parent (null propagation), with one error at the field', { timeout: 10_000 }, () => {
    const { printed, removed, nulled, dataIsNull } = rewrite('{ publicInfo user(id: "1") { name ssn } }', user());
    assert.deepEqual(removed, [{ path: ['user', 'ssn'], coordinate: 'User.ssn' }]);
    assert.deepEqual(nulled.map((n) => n.path.join('.')).sort(), ['user', 'user.ssn']);
    assert.equal(dataIsNull, false);
    assert.equal(printed, '{\n  publicInfo\n}');
  });

  test('null propagation through a non-null root field nulls all data', { timeout: 10_000 }, () => {
    const { document, dataIsNull, removed } = rewrite('{ publicInfo requiredUser { ssn name } }', user());
    assert.equal(document, null);
    assert.equal(dataIsNull, true);
    assert.deepEqual(paths(removed), ['requiredUser.ssn']);
  });

  test('__typename is always allowed', { timeout: 10_000 }, () => {
    assert.equal(rewrite('{ user(id: "1") { __typename } }', null).removed.length, 0);
  });
});
