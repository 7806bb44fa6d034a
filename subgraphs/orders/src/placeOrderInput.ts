// Validates `placeOrder(input)` beyond what GraphQL types check, and names the offending input field
// (`extensions.field`, e.g. "input.items[1].quantity") so a client can point at the form field.
import { z } from 'zod';
import { badUserInput } from '@federation-gateway/subgraph-kit';
import { CURRENCIES, type CatalogProduct, type Currency } from './sampleCatalog.js';

export const MAX_ITEMS_PER_ORDER = 50;
export const MAX_QUANTITY_PER_ITEM = 100;

export interface ValidPlaceOrderInput {
  currency: Currency;
  items: { productId: string; quantity: number }[];
}

function inputSchema(catalog: ReadonlyMap<string, CatalogProduct>) {
  return z
    .object({
      items: z
        .array(
          z.object({
            productId: z.string().refine((id) => catalog.has(id), { message: 'is not a product in the catalog' }),
            quantity: z
              .number()
              .int()
              .min(1, { message: 'must be at least 1' })
              .max(MAX_QUANTITY_PER_ITEM, { message: `must be at most ${MAX_QUANTITY_PER_ITEM}` }),
          }),
        )
        .min(1, { message: 'must contain at least one item' })
        .max(MAX_ITEMS_PER_ORDER, { message: `must contain at most ${MAX_ITEMS_PER_ORDER} items` }),
      currency: z.enum(CURRENCIES as [Currency, ...Currency[]], { message: `must be one of ${CURRENCIES.join(', ')}` }),
    })
    .superRefine((input, context) => {
      const seen = new Set<string>();
      input.items.forEach((item, index) => {
        if (seen.has(item.productId)) {
          context.addIssue({ code: 'custom', path: ['items', index, 'productId'], message: 'appears twice: use one item with a larger quantity' });
        }
        seen.add(item.productId);
      });
    });
}

/** `['items', 1, 'quantity']` -> `input.items[1].quantity` */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : `${text}.${String(key)}`), 'input');
}

/** Returns the validated input or throws BAD_USER_INPUT for the first problem found. */
export function validatePlaceOrderInput(input: unknown, catalog: ReadonlyMap<string, CatalogProduct>): ValidPlaceOrderInput {
  const result = inputSchema(catalog).safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldPath(issue.path);
  throw badUserInput(`${field} ${issue.message}`, field);
}
