// A small federated graph made to reach the corners of plan execution and result shaping that the deep
// bench graph does not: a value interface and a union over entities resolved across subgraphs, `@requires`
// on a type behind an interface, `@provides`, non-null fields and lists of non-null entities, an enum and
// a custom scalar, root fields with variables and defaults, and resolvers that fail for chosen ids (so
// subgraph errors come back inside `_entities` and at the root). Executed in process by
// differentialExecution.ts; used only by the compiled plan executor's differential test.
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires", "@provides", "@shareable"])';

export const DIFFERENTIAL_SDL: Record<string, string> = {
  catalog: `${LINK}
    scalar Date
    enum Genre { FICTION SCIENCE POETRY }
    interface Product { id: ID! title: String! price: Int }
    type Book implements Product @key(fields: "id") { id: ID! title: String! price: Int pages: Int genre: Genre published: Date }
    type Movie implements Product @key(fields: "id") { id: ID! title: String! price: Int minutes: Int! }
    union Media = Book | Movie
    type Query {
      products(first: Int = 10): [Product!]!
      media: [Media]
      product(id: ID!): Product
      topProduct: Product!
      failing: Product
    }`,
  reviews: `${LINK}
    type Book @key(fields: "id") { id: ID! reviews: [Review!]! rating: Float }
    type Movie @key(fields: "id") { id: ID! reviews: [Review!] }
    type Review { id: ID! body: String stars: Int! author: User @provides(fields: "name") }
    type User @key(fields: "id") { id: ID! name: String @external }
    type Query { latestReviews(limit: Int! = 2): [Review] }`,
  users: `${LINK}
    type User @key(fields: "id") { id: ID! name: String @shareable email: String! friends: [User!] }
    type Query { me: User users: [User!]! }`,
  inventory: `${LINK}
    type Book @key(fields: "id") { id: ID! price: Int @external pages: Int @external shipping: Int @requires(fields: "price pages") inStock: Boolean! }`,
};

interface BookRecord {
  id: string;
  title: string;
  price: number | null;
  pages: number | null;
  genre: string;
  published: string;
}
interface MovieRecord {
  id: string;
  title: string;
  price: number | null;
  minutes: number | null;
}

const BOOKS: BookRecord[] = [
  { id: 'b1', title: 'Dune', price: 1200, pages: 600, genre: 'FICTION', published: '1965-08-01' },
  { id: 'b2', title: 'Cosmos', price: null, pages: 400, genre: 'SCIENCE', published: '1980-01-01' },
  { id: 'b3', title: 'Odes', price: 800, pages: null, genre: 'POETRY', published: '1819-05-01' },
  { id: 'b4', title: 'Broken', price: 900, pages: 90, genre: 'FICTION', published: '2001-01-01' },
];
// m2 has no minutes although the field is non-null: the catalog subgraph nulls it (and reports an error).
const MOVIES: MovieRecord[] = [
  { id: 'm1', title: 'Alien', price: 500, minutes: 117 },
  { id: 'm2', title: 'Lost Reel', price: 300, minutes: null },
];
const USERS = [
  { id: 'u1', name: 'Ada', email: 'ada@example.test', friends: ['u2', 'u3'] },
  { id: 'u2', name: 'Grace', email: 'grace@example.test', friends: ['u1'] },
  { id: 'u3', name: null, email: 'anon@example.test', friends: [] },
];
const REVIEWS = [
  { id: 'r1', productId: 'b1', body: 'Spice', stars: 5, authorId: 'u1' },
  { id: 'r2', productId: 'b1', body: null, stars: 4, authorId: 'u2' },
  { id: 'r3', productId: 'm1', body: 'Scary', stars: 5, authorId: 'u3' },
  { id: 'r4', productId: 'b3', body: 'Lyrical', stars: 3, authorId: 'u1' },
  { id: 'r5', productId: 'm2', body: 'Where is it', stars: 1, authorId: 'u2' },
];

const productById = (id: string) => BOOKS.find((book) => book.id === id) ?? MOVIES.find((movie) => movie.id === id) ?? null;
const typeOfProduct = (product: { id: string }) => (product.id.startsWith('b') ? 'Book' : 'Movie');
const userById = (id: string) => USERS.find((user) => user.id === id) ?? null;

export const DIFFERENTIAL_RESOLVERS: Record<string, GraphQLResolverMap<unknown>> = {
  catalog: {
    Query: {
      // m2 (null minutes) and b4 (failing reviews) only where a nullable position absorbs them: media's items, product(id).
      products: (_: unknown, args: { first: number }) => [BOOKS[0], BOOKS[1], BOOKS[2], MOVIES[0]].slice(0, Math.max(0, args.first)),
      media: () => [BOOKS[0], MOVIES[0], null, BOOKS[2], MOVIES[1], BOOKS[3]],
      product: (_: unknown, args: { id: string }) => productById(args.id),
      topProduct: () => BOOKS[0],
      failing: () => {
        throw new Error('catalog is failing on purpose');
      },
    },
    Product: { __resolveType: typeOfProduct },
    Media: { __resolveType: typeOfProduct },
    Book: { __resolveReference: (reference: { id: string }) => BOOKS.find((book) => book.id === reference.id) ?? null },
    Movie: { __resolveReference: (reference: { id: string }) => MOVIES.find((movie) => movie.id === reference.id) ?? null },
  },
  reviews: {
    Query: { latestReviews: (_: unknown, args: { limit: number }) => REVIEWS.slice(-args.limit) },
    Book: {
      __resolveReference: (reference: { id: string }) => {
        // b4's reviews are down: the whole entity fails, with an error pointing into _entities.
        if (reference.id === 'b4') throw new Error('reviews of b4 are unavailable');
        return { id: reference.id };
      },
      reviews: (book: { id: string }) => REVIEWS.filter((review) => review.productId === book.id),
      rating: (book: { id: string }) => {
        const stars = REVIEWS.filter((review) => review.productId === book.id).map((review) => review.stars);
        return stars.length === 0 ? null : stars.reduce((sum, value) => sum + value, 0) / stars.length;
      },
    },
    Movie: {
      __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
      reviews: (movie: { id: string }) => (movie.id === 'm2' ? null : REVIEWS.filter((review) => review.productId === movie.id)),
    },
    Review: { author: (review: { authorId: string }) => ({ id: review.authorId, name: userById(review.authorId)?.name ?? null }) },
  },
  users: {
    Query: { me: () => USERS[0], users: () => USERS },
    User: {
      __resolveReference: (reference: { id: string }) => userById(reference.id),
      friends: (user: { friends: string[] }) => user.friends.map(userById),
    },
  },
  inventory: {
    Book: {
      __resolveReference: (reference: { id: string; price?: number | null; pages?: number | null }) => ({ ...reference }),
      shipping: (book: { price?: number | null; pages?: number | null }) => (book.price == null || book.pages == null ? null : Math.round(book.price / 100) + book.pages),
      inStock: (book: { id: string }) => book.id !== 'b2',
    },
  },
};
