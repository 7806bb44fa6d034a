// The deep benchmark's data: our own (not the public benchmark's), shaped like it so the nested
// TestQuery does the same amount of work: 6 users with 2 reviews each, 9 products of which the first
// four carry every review, review bodies of a few hundred characters. With these sizes one TestQuery
// answer is ~87 KB, as on the public benchmark.

export interface BenchUser {
  id: string;
  name: string;
  username: string;
  birthday: number;
}

export interface BenchProduct {
  upc: string;
  name: string;
  /** In cents. */
  price: number;
  /** In grams. */
  weight: number;
  inStock: boolean;
}

export interface BenchReview {
  id: string;
  body: string;
  authorId: string;
  productUpc: string;
}

export const USERS: readonly BenchUser[] = [
  { id: '1', name: 'Ada Brandt', username: 'abrandt', birthday: 1_018_569_600 },
  { id: '2', name: 'Bruno Castell', username: 'bcastell', birthday: 1_118_569_600 },
  { id: '3', name: 'Chiara Dunmore', username: 'cdunmore', birthday: 918_569_600 },
  { id: '4', name: 'Dmitri Ekwueme', username: 'dekwueme', birthday: 818_569_600 },
  { id: '5', name: 'Elif Fontaine', username: 'efontaine', birthday: 718_569_600 },
  { id: '6', name: 'Farid Gallo', username: 'fgallo', birthday: 618_569_600 },
];

export const PRODUCTS: readonly BenchProduct[] = [
  { upc: 'p-1', name: 'Oak desk', price: 45_900, weight: 32_000, inStock: true },
  { upc: 'p-2', name: 'Reading lamp', price: 3_450, weight: 1_200, inStock: false },
  { upc: 'p-3', name: 'Wool rug', price: 12_900, weight: 6_500, inStock: true },
  { upc: 'p-4', name: 'Espresso cup', price: 890, weight: 150, inStock: true },
  { upc: 'p-5', name: 'Bike helmet', price: 7_990, weight: 350, inStock: false },
  { upc: 'p-6', name: 'Desk chair', price: 24_900, weight: 14_000, inStock: true },
  { upc: 'p-7', name: 'Kettle', price: 4_990, weight: 1_100, inStock: true },
  { upc: 'p-8', name: 'Bookshelf', price: 18_900, weight: 27_000, inStock: false },
  { upc: 'p-9', name: 'Houseplant', price: 2_490, weight: 2_400, inStock: true },
];

const WORDS = (
  'sturdy light arrived quickly packaging careful assembly took evening instructions clear finish matches photos ' +
  'colour slightly warmer expected daily use months later still solid would recommend friends price fair compared ' +
  'shops nearby delivery driver friendly box damaged corner item itself fine customer service answered within hours ' +
  'replacement part screws included spare ones appreciated smell faded after days kids love cat sleeps on it'
).split(' ');

/** A deterministic pseudo-random text (mulberry32), so every run and both gateways see the same bytes. */
function reviewBody(seed: number, length: number): string {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const words: string[] = [];
  let size = 0;
  while (size < length) {
    const word = WORDS[Math.floor(next() * WORDS.length)]!;
    words.push(word);
    size += word.length + 1;
  }
  const text = words.join(' ');
  return `${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

/** Each user writes two reviews; products p-1 and p-2 get four each, p-3 and p-4 two each. */
const REVIEW_PLAN: readonly [authorId: string, productUpc: string][] = [
  ['1', 'p-1'], ['1', 'p-2'],
  ['2', 'p-1'], ['2', 'p-3'],
  ['3', 'p-2'], ['3', 'p-4'],
  ['4', 'p-1'], ['4', 'p-2'],
  ['5', 'p-3'], ['5', 'p-1'],
  ['6', 'p-4'], ['6', 'p-2'],
];

export const REVIEWS: readonly BenchReview[] = REVIEW_PLAN.map(([authorId, productUpc], index) => ({
  id: `r-${index + 1}`,
  // 320–460 characters: the public benchmark's bodies are of that order.
  body: reviewBody(index + 1, 320 + ((index * 37) % 140)),
  authorId,
  productUpc,
}));

export const usersById = new Map(USERS.map((user) => [user.id, user]));
export const productsByUpc = new Map(PRODUCTS.map((product) => [product.upc, product]));
export const reviewsById = new Map(REVIEWS.map((review) => [review.id, review]));
