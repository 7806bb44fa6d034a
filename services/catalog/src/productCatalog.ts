// The catalog's sample data: 240 products, generated deterministically (same ids, names and prices on every
// start and every machine) so tests and other services can rely on them. Fields are snake_case, as the JSON
// of a typical REST API.
export interface CatalogProduct {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  brand: string;
  /** Integer minor units (cents): money never travels as a float. */
  price_cents: number;
  /** ISO 4217 code. */
  currency: string;
  weight_grams: number;
  /** ISO 8601, UTC. */
  created_at: string;
  updated_at: string;
}

/** 240 = 8 categories × 30: comfortably over the 200 the sample graph needs, small enough to scan. */
export const PRODUCT_COUNT = 240;

export const CATEGORIES = ['books', 'electronics', 'kitchen', 'garden', 'toys', 'sports', 'outdoors', 'beauty'] as const;

const NOUNS: Record<(typeof CATEGORIES)[number], readonly string[]> = {
  books: ['Field Guide', 'Cookbook', 'Novel', 'Atlas', 'Handbook', 'Anthology'],
  electronics: ['Headphones', 'Keyboard', 'Webcam', 'Charger', 'Speaker', 'Monitor Arm'],
  kitchen: ['Chef Knife', 'Skillet', 'Kettle', 'Cutting Board', 'Dutch Oven', 'Pepper Mill'],
  garden: ['Pruning Shears', 'Hose Reel', 'Seed Tray', 'Trowel', 'Planter', 'Watering Can'],
  toys: ['Puzzle', 'Building Set', 'Kite', 'Board Game', 'Plush Fox', 'Train Set'],
  sports: ['Yoga Mat', 'Jump Rope', 'Kettlebell', 'Water Bottle', 'Tennis Racket', 'Foam Roller'],
  outdoors: ['Tent', 'Headlamp', 'Sleeping Bag', 'Camp Stove', 'Daypack', 'Trekking Poles'],
  beauty: ['Face Serum', 'Hand Cream', 'Lip Balm', 'Shampoo Bar', 'Sunscreen', 'Body Oil'],
};

const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Everyday', 'Lightweight', 'Pro', 'Rugged', 'Studio', 'Travel', 'Urban'];
const BRANDS = ['Northwind', 'Acme', 'Fabrikam', 'Contoso', 'Tailspin', 'Woodgrove', 'Litware', 'Adatum'];

/** Catalog launch: 2024-01-01T00:00:00Z; product n was added n × 37 hours later (hours, not days, so
 *  timestamps differ in more than the date). */
const LAUNCH_MS = Date.UTC(2024, 0, 1);
const HOUR_MS = 3_600_000;

function productNumber(index: number): number {
  return index + 1;
}

function buildProduct(index: number): CatalogProduct {
  const n = productNumber(index);
  const category = CATEGORIES[index % CATEGORIES.length]!;
  const nouns = NOUNS[category];
  const noun = nouns[Math.floor(index / CATEGORIES.length) % nouns.length]!;
  const adjective = ADJECTIVES[(index * 7) % ADJECTIVES.length]!;
  const brand = BRANDS[(index * 3) % BRANDS.length]!;
  // Prices from $4.99 to about $300, always ending in 99 cents, spread by a fixed multiplier.
  const priceCents = ((n * 7919) % 300) * 100 + 499;
  const created = LAUNCH_MS + n * 37 * HOUR_MS;
  return {
    id: `prod-${n}`,
    sku: `${category.slice(0, 3).toUpperCase()}-${String(n).padStart(5, '0')}`,
    name: `${brand} ${adjective} ${noun}`,
    description: `The ${adjective.toLowerCase()} ${noun.toLowerCase()} from ${brand}, one of our ${category} favourites.`,
    category,
    brand,
    price_cents: priceCents,
    currency: 'USD',
    weight_grams: 100 + ((n * 131) % 4900),
    created_at: new Date(created).toISOString(),
    updated_at: new Date(created + ((n * 11) % 500) * HOUR_MS).toISOString(),
  };
}

/** Products in id order (prod-1, prod-2, …): the order pagination walks. */
export const PRODUCTS: readonly CatalogProduct[] = Object.freeze(
  Array.from({ length: PRODUCT_COUNT }, (_, index) => Object.freeze(buildProduct(index))),
);

const BY_ID = new Map(PRODUCTS.map((product, index) => [product.id, { product, index }]));

export function findProduct(id: string): CatalogProduct | undefined {
  return BY_ID.get(id)?.product;
}

/** Position of a product in `PRODUCTS`, for cursors; undefined for an unknown id. */
export function productIndex(id: string): number | undefined {
  return BY_ID.get(id)?.index;
}
