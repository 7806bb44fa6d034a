import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GraphQLError } from 'graphql';
import { validatePlaceOrderInput } from '../../../../subgraphs/orders/src/placeOrderInput.js';
import { generateSampleCatalog } from '../../../../subgraphs/orders/src/sampleCatalog.js';

const catalog = generateSampleCatalog();

function rejectionOf(input: unknown): { code: unknown; field: unknown } {
  try {
    validatePlaceOrderInput(input, catalog);
  } catch (error) {
    assert.ok(error instanceof GraphQLError);
    return { code: error.extensions.code, field: error.extensions.field };
  }
  assert.fail('input was accepted');
}

describe('placeOrder input validation', () => {
  test('accepts a valid order', { timeout: 10_000 }, () => {
    const input = { items: [{ productId: 'prod-1', quantity: 2 }], currency: 'EUR' };
    assert.deepEqual(validatePlaceOrderInput(input, catalog), input);
  });

  const cases: [string, unknown, string][] = [
    ['no items', { items: [], currency: 'USD' }, 'input.items'],
    ['zero quantity', { items: [{ productId: 'prod-1', quantity: 0 }], currency: 'USD' }, 'input.items[0].quantity'],
    ['quantity over 100', { items: [{ productId: 'prod-1', quantity: 1 }, { productId: 'prod-2', quantity: 101 }], currency: 'USD' }, 'input.items[1].quantity'],
    ['unknown product', { items: [{ productId: 'prod-999', quantity: 1 }], currency: 'USD' }, 'input.items[0].productId'],
    ['duplicate product', { items: [{ productId: 'prod-1', quantity: 1 }, { productId: 'prod-1', quantity: 1 }], currency: 'USD' }, 'input.items[1].productId'],
    ['unsupported currency', { items: [{ productId: 'prod-1', quantity: 1 }], currency: 'XYZ' }, 'input.currency'],
    ['51 items', { items: Array.from({ length: 51 }, () => ({ productId: 'prod-1', quantity: 1 })), currency: 'USD' }, 'input.items'],
  ];
  for (const [name, input, field] of cases) {
    test(`rejects ${name} with BAD_USER_INPUT naming ${field}`, { timeout: 10_000 }, () => {
      assert.deepEqual(rejectionOf(input), { code: 'BAD_USER_INPUT', field });
    });
  }
});
