// Deduplicating entity representations and fanning the answer back: the mapping, errors, copies, bounds.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FanOutTooLargeError, fanOutEntities, planRepresentations } from '../../../gateway/src/entityFanOut.js';

const user = (id: string) => ({ __typename: 'User', id });

describe('planRepresentations', () => {
  test('distinct representations need no plan; duplicates map to their first occurrence', { timeout: 10_000 }, () => {
    assert.equal(planRepresentations([user('1'), user('2')]), undefined);
    assert.equal(planRepresentations([user('1')]), undefined);
    const plan = planRepresentations([user('1'), user('2'), user('1'), user('1'), user('2')])!;
    assert.deepEqual(plan.unique, [user('1'), user('2')]);
    assert.deepEqual(plan.uniqueIndexOf, [0, 1, 0, 0, 1]);
  });

  test('representations that differ in any field (e.g. @requires values) stay apart', { timeout: 10_000 }, () => {
    const plan = planRepresentations([{ ...user('1'), weight: 1 }, { ...user('1'), weight: 2 }, { ...user('1'), weight: 1 }])!;
    assert.equal(plan.unique.length, 2);
  });
});

describe('fanOutEntities', () => {
  const plan = planRepresentations([user('1'), user('2'), user('1')])!;

  test('entities come back one per original representation, as separate objects', { timeout: 10_000 }, () => {
    const { response, extraBytes } = fanOutEntities({ data: { _entities: [{ name: 'Ada', tags: ['a'] }, null] } }, plan, 1_000);
    const entities = response.data!._entities as ({ name: string; tags: string[] } | null)[];
    assert.deepEqual(entities, [{ name: 'Ada', tags: ['a'] }, null, { name: 'Ada', tags: ['a'] }]);
    assert.notEqual(entities[0], entities[2], 'a copy, not a shared reference: the gateway merges into each');
    assert.notEqual(entities[0]!.tags, entities[2]!.tags);
    assert.equal(extraBytes, Buffer.byteLength('{"name":"Ada","tags":["a"]}'));
  });

  test('an error at _entities.<n> is repeated at every original index; other errors once', { timeout: 10_000 }, () => {
    const { response } = fanOutEntities(
      {
        data: { _entities: [null, { name: 'Bo' }] },
        errors: [
          { message: 'not found', path: ['_entities', 0, 'name'], extensions: { code: 'NOT_FOUND' } },
          { message: 'general' },
        ],
      },
      plan,
      1_000,
    );
    assert.deepEqual(response.errors, [
      { message: 'not found', path: ['_entities', 0, 'name'], extensions: { code: 'NOT_FOUND' } },
      { message: 'not found', path: ['_entities', 2, 'name'], extensions: { code: 'NOT_FOUND' } },
      { message: 'general' },
    ]);
  });

  test('an answer that does not match the plan is left for the gateway to reject', { timeout: 10_000 }, () => {
    const wrong = { data: { _entities: [{ name: 'only one' }] } };
    assert.equal(fanOutEntities(wrong, plan, 1_000).response.data, wrong.data);
    assert.equal(fanOutEntities({ data: null }, plan, 1_000).response.data, null);
  });

  test('copies over the allowed bytes are refused before any is made', { timeout: 10_000 }, () => {
    const many = planRepresentations(Array.from({ length: 1_000 }, () => user('1')))!;
    assert.throws(() => fanOutEntities({ data: { _entities: [{ name: 'x'.repeat(100) }] } }, many, 50_000), FanOutTooLargeError);
    assert.doesNotThrow(() => fanOutEntities({ data: { _entities: [{ name: 'x'.repeat(10) }] } }, many, 50_000));
  });
});
