// Bounded metric labels: the first N distinct values, then __other__; values that are not plain never become labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBoundedLabels, headerValue } from '../../../gateway/src/metricLabels.js';

test('keeps the first maxValues distinct combinations, collapses the rest', { timeout: 5_000 }, () => {
  const labels = createBoundedLabels(2);
  assert.deepEqual(labels.of(['web', '1.0']), ['web', '1.0']);
  assert.deepEqual(labels.of(['ios', '2.0']), ['ios', '2.0']);
  assert.deepEqual(labels.of(['web', '1.1']), ['__other__', '__other__']);
  assert.deepEqual(labels.of(['web', '1.0']), ['web', '1.0'], 'a value seen before keeps its label');
});

test('reserved labels never take a slot; values that are not plain are __other__', { timeout: 5_000 }, () => {
  const labels = createBoundedLabels(1);
  assert.deepEqual(labels.of(['__unknown__', '__unknown__']), ['__unknown__', '__unknown__']);
  assert.deepEqual(labels.of(['__anonymous__']), ['__anonymous__']);
  assert.deepEqual(labels.of(['has space']), ['__other__']);
  assert.deepEqual(labels.of(['x'.repeat(65)]), ['__other__']);
  assert.deepEqual(labels.of(['quote"']), ['__other__']);
  assert.deepEqual(labels.of(['GetUser']), ['GetUser']);
  assert.deepEqual(labels.of(['GetOrder']), ['__other__']);
});

test('headerValue: the first of repeated headers, trimmed; empty is absent', { timeout: 5_000 }, () => {
  assert.equal(headerValue([' web ', 'ios']), 'web');
  assert.equal(headerValue('  '), undefined);
  assert.equal(headerValue(undefined), undefined);
});
