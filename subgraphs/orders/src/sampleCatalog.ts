// The products an order may contain, with their prices in minor units (cents) per currency.
// The orders subgraph prices items itself: a client never sends a price.
export type Currency = 'USD' | 'EUR' | 'GBP';
export const CURRENCIES: readonly Currency[] = ['USD', 'EUR', 'GBP'];

export interface CatalogProduct {
  id: string;
  /** Minor units (cents/pence) per currency. */
  unitPriceCents: Record<Currency, number>;
}

export const SAMPLE_PRODUCT_COUNT = 20;

/** `prod-1` .. `prod-20` (ids of the catalog REST service, services/catalog), priced from 4.99 to 99.99 in deterministic steps (no randomness needed). */
export function generateSampleCatalog(): ReadonlyMap<string, CatalogProduct> {
  const products = new Map<string, CatalogProduct>();
  for (let index = 1; index <= SAMPLE_PRODUCT_COUNT; index += 1) {
    const usd = 499 + ((index * 1_337) % 9_500);
    products.set(`prod-${index}`, {
      id: `prod-${index}`,
      // Fixed exchange rates for the sample data, rounded to whole cents.
      unitPriceCents: { USD: usd, EUR: Math.round(usd * 0.92), GBP: Math.round(usd * 0.79) },
    });
  }
  return products;
}
