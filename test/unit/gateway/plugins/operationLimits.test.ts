// The operation limits reject deep and directive-heavy operations at validation time (aliases and
// tokens through a real gateway: test/integration/gateway/http.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSchema, parse, validate, specifiedRules } from 'graphql';
import { createOperationLimits, operationLimitsConfigSchema } from '../../../../gateway/src/plugins/operationLimits.js';

const schema = buildSchema(`
  type Query { user: User }
  type User { id: ID! friend: User orders: [Order!]! }
  type Order { id: ID! user: User }
`);

function errorsFor(query: string, overrides: Record<string, unknown> = {}): string[] {
  const { validationRules } = createOperationLimits(operationLimitsConfigSchema.parse(overrides));
  return validate(schema, parse(query), [...specifiedRules, ...validationRules]).map((e) => e.message);
}

test('defaults accept a realistic nested query', { timeout: 10_000 }, () => {
  assert.deepEqual(errorsFor('{ user { id orders { id user { id friend { id } } } } }'), []);
});

test('depth beyond maxDepth is rejected; at the limit it passes', { timeout: 10_000 }, () => {
  const depth4 = '{ user { friend { friend { id } } } }';
  assert.deepEqual(errorsFor(depth4, { maxDepth: 4 }), []);
  const rejected = errorsFor(depth4, { maxDepth: 3 });
  assert.equal(rejected.length, 1);
  assert.match(rejected[0]!, /depth/i);
});

test('directives beyond maxDirectives are rejected; at the limit they pass', { timeout: 10_000 }, () => {
  const fourDirectives = '{ user @include(if: true) { id @skip(if: false) friend @include(if: true) { id @skip(if: false) } } }';
  assert.deepEqual(errorsFor(fourDirectives, { maxDirectives: 4 }), []);
  const rejected = errorsFor(fourDirectives, { maxDirectives: 3 });
  assert.equal(rejected.length, 1, rejected.join());
  assert.match(rejected[0]!, /directives/i);
});

test('introspection is exempt from the depth limit (Sandbox needs it)', { timeout: 10_000 }, () => {
  assert.deepEqual(errorsFor('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }', { maxDepth: 2 }), []);
});

test('cost is no longer graphql-armor\'s: operationLimits.maxCost is refused, pointing to demandControl.maxCost', { timeout: 10_000 }, () => {
  const query = `{ ${Array.from({ length: 30 }, (_, i) => `u${i}: user { friend { friend { id } } }`).join(' ')} }`;
  assert.deepEqual(errorsFor(query, { maxAliases: 100 }), [], 'no cost rule at validation time');
  assert.throws(() => operationLimitsConfigSchema.parse({ maxCost: 50 }), /demandControl\.maxCost/);
});

test('unknown config keys are refused', { timeout: 10_000 }, () => {
  assert.throws(() => operationLimitsConfigSchema.parse({ maxDepht: 3 }));
});
