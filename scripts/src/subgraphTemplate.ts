// The files `npm run subgraph:new -- NAME` writes: a working subgraph on the kit (schema.graphql as the
// single source of its SDL, resolvers reading the verified gateway identity, per-request DataLoaders, an
// in-memory store to replace) and an integration test through the gateway. Names derive from NAME:
// "reviews" → type Review, Query.review / Query.reviews, Mutation.createReview, createReviewsSubgraph().

export interface SubgraphNames {
  /** As in rover.yaml and the folder: "reviews", "gift-cards". */
  name: string;
  /** TypeScript identifiers: "reviews" → "Reviews", "gift-cards" → "GiftCards". */
  pascal: string;
  camel: string;
  /** The sample entity type: "Review", "GiftCard". */
  entity: string;
  /** Root fields: "review", "reviews", "createReview". */
  one: string;
  many: string;
  create: string;
}

function pascalCase(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export function namesFor(name: string): SubgraphNames {
  const pascal = pascalCase(name);
  // A plain English plural is enough for a sample type; the team renames it anyway.
  const entity = pascal.length > 3 && pascal.endsWith('s') && !pascal.endsWith('ss') ? pascal.slice(0, -1) : `${pascal}Item`;
  const one = entity.charAt(0).toLowerCase() + entity.slice(1);
  return { name, pascal, camel: pascal.charAt(0).toLowerCase() + pascal.slice(1), entity, one, many: `${one}s`, create: `create${entity}` };
}

export interface TemplateInput {
  names: SubgraphNames;
  /** e.g. "v2.9": the version every other subgraph links. */
  federationVersion: string;
  port: number;
}

/** The DataLoader the sample subgraphs use (their package.json), so the tree keeps one copy. */
const DATALOADER_VERSION = '2.2.3';

/** Path (relative to the repo root) → content. */
export type RenderedFiles = Map<string, string>;

export function renderSubgraphFiles({ names, federationVersion, port }: TemplateInput): RenderedFiles {
  const { name, pascal, camel, entity, one, many, create } = names;
  const dir = `subgraphs/${name}`;
  const files: RenderedFiles = new Map();

  files.set(
    `${dir}/schema.graphql`,
    `# The ${name} subgraph. This file is the single source of its SDL: the server loads it and
# \`npm run compose\` reads it (rover.yaml lists it). After editing: \`npm run schema:check\`, then
# \`npm run compose\`. Written by \`npm run subgraph:new\`: rename ${entity} and its fields to your domain.
extend schema
  @link(url: "https://specs.apollo.dev/federation/${federationVersion}", import: ["@key", "@authenticated"])

"""
A ${entity}. Other subgraphs can reference it by id:
  type ${entity} @key(fields: "id", resolvable: false) { id: ID! }
"""
type ${entity} @key(fields: "id") {
  id: ID!
  title: String!
  "The caller (token \`sub\`) who created it."
  createdBy: String
}

type Query {
  "Null when there is no ${entity} with this id."
  ${one}(id: ID!): ${entity}
  "The first \`first\` (1..100) ${entity}s in id order."
  ${many}(first: Int = 10): [${entity}!]!
}

type Mutation {
  "Creates a ${entity} owned by the caller. \`title\`: 1..200 characters, else BAD_USER_INPUT."
  ${create}(title: String!): ${entity} @authenticated
}
`,
  );

  files.set(
    `${dir}/package.json`,
    `${JSON.stringify(
      {
        name: `@federation-gateway/subgraph-${name}`,
        version: '0.1.0',
        private: true,
        description: `The ${name} subgraph.`,
        type: 'module',
        license: 'MIT',
        dependencies: { '@federation-gateway/subgraph-kit': '*', dataloader: DATALOADER_VERSION },
      },
      null,
      2,
    )}\n`,
  );

  files.set(
    `${dir}/tsconfig.json`,
    `{
  "extends": "../../tsconfig.base.json",
  "compilerOptions": { "rootDir": "src", "outDir": "dist", "tsBuildInfoFile": "dist/.tsbuildinfo" },
  "include": ["src"],
  "references": [{ "path": "../kit" }]
}
`,
  );

  files.set(
    `${dir}/src/main.ts`,
    `// CLI entry of the ${name} subgraph: \`node subgraphs/${name}/dist/main.js --port ${port}\` (env ${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_PORT).
import { runSubgraph } from '@federation-gateway/subgraph-kit';
import { create${pascal}Subgraph } from './${camel}Subgraph.js';

await runSubgraph(create${pascal}Subgraph());
`,
  );

  files.set(
    `${dir}/src/${camel}Subgraph.ts`,
    `// The ${name} subgraph definition: its schema file, resolvers and per-request loaders, ready for the kit
// (HTTP, gateway identity verification, /healthz, logs and shutdown are the kit's job).
import type { SubgraphDefinition } from '@federation-gateway/subgraph-kit';
import { create${entity}Loaders, type ${entity}Loaders } from './${one}Loaders.js';
import { ${camel}Resolvers } from './resolvers.js';
import { ${entity}Store } from './${one}Store.js';

export function create${pascal}Subgraph(store = new ${entity}Store()): SubgraphDefinition<{ store: ${entity}Store; loaders: ${entity}Loaders }> {
  return {
    name: '${name}',
    schemaFile: new URL('../schema.graphql', import.meta.url),
    resolvers: ${camel}Resolvers,
    // Fresh loaders per request: one caller's batch and cache never serve another.
    createContext: () => ({ store, loaders: create${entity}Loaders(store) }),
    debugCounters: () => store.calls.snapshot(),
  };
}
`,
  );

  files.set(
    `${dir}/src/${one}Store.ts`,
    `// The ${name} data layer: an in-memory store with one sample ${entity}. Replace it with your database or
// service client; keep \`findByIds\` a batch call, it is what the DataLoader calls once per request tick.
import { DataLayerCallCounter } from '@federation-gateway/subgraph-kit';

export interface ${entity}Record {
  id: string;
  title: string;
  createdBy: string | null;
}

export class ${entity}Store {
  /** Data-layer calls, served on GET /debug/data-layer-calls with SUBGRAPH_DEBUG_COUNTERS=1 (tests prove batching). */
  readonly calls = new DataLayerCallCounter();
  private readonly records = new Map<string, ${entity}Record>([['${one}-1', { id: '${one}-1', title: 'The first ${entity}', createdBy: null }]]);
  private nextId = 2;

  /** One call for many ids, in the order asked; null where there is none. */
  async findByIds(ids: readonly string[]): Promise<(${entity}Record | null)[]> {
    this.calls.record('${name}.findByIds');
    return ids.map((id) => this.records.get(id) ?? null);
  }

  async list(first: number): Promise<${entity}Record[]> {
    this.calls.record('${name}.list');
    return [...this.records.values()].slice(0, first);
  }

  async create(title: string, createdBy: string): Promise<${entity}Record> {
    this.calls.record('${name}.create');
    const record = { id: \`${one}-\${this.nextId++}\`, title, createdBy };
    this.records.set(record.id, record);
    return record;
  }
}
`,
  );

  files.set(
    `${dir}/src/${one}Loaders.ts`,
    `// Per-request DataLoaders over the ${name} data layer: created in the subgraph's createContext, so one
// request's batch and cache never serve another caller.
import DataLoader from 'dataloader';
import type { ${entity}Record, ${entity}Store } from './${one}Store.js';

export interface ${entity}Loaders {
  ${one}ById: DataLoader<string, ${entity}Record | null>;
}

/** 1000: the most ids one data-layer call takes; a 5000-entity query costs 5 calls, not 5000. */
const MAX_BATCH_SIZE = 1000;

export function create${entity}Loaders(store: ${entity}Store): ${entity}Loaders {
  return { ${one}ById: new DataLoader((ids) => store.findByIds(ids), { maxBatchSize: MAX_BATCH_SIZE }) };
}
`,
  );

  files.set(
    `${dir}/src/resolvers.ts`,
    `// Resolvers of the ${name} subgraph. \`context.identity\` is who the gateway says the caller is (verified
// by the kit from the signed x-gateway-identity header; never from client headers): \`subject\` is null
// for anonymous callers, \`scopes\` / \`roles\` / \`tier\` come from their token.
import { badUserInput, unauthenticated, type SubgraphContext } from '@federation-gateway/subgraph-kit';
import type { ${entity}Loaders } from './${one}Loaders.js';
import type { ${entity}Record, ${entity}Store } from './${one}Store.js';

type Context = SubgraphContext<{ store: ${entity}Store; loaders: ${entity}Loaders }>;

export const ${camel}Resolvers = {
  Query: {
    ${one}: (_parent: unknown, args: { id: string }, context: Context) => context.loaders.${one}ById.load(args.id),
    ${many}: (_parent: unknown, args: { first: number }, context: Context) => {
      if (!Number.isInteger(args.first) || args.first < 1 || args.first > 100) throw badUserInput('first must be 1..100', 'first');
      return context.store.list(args.first);
    },
  },
  Mutation: {
    ${create}: (_parent: unknown, args: { title: string }, context: Context) => {
      // The gateway enforces @authenticated first; checking here too keeps the subgraph safe on its own.
      const subject = context.identity?.subject;
      if (!subject) throw unauthenticated();
      const title = args.title.trim();
      if (title.length < 1 || title.length > 200) throw badUserInput('title must be 1..200 characters', 'title');
      return context.store.create(title, subject);
    },
  },
  ${entity}: {
    // Another subgraph's reference { id } → the full ${entity}, batched with every other reference in the request.
    __resolveReference: (reference: { id: string }, context: Context) => context.loaders.${one}ById.load(reference.id),
    createdBy: (record: ${entity}Record) => record.createdBy,
  },
};
`,
  );

  files.set(
    `test/integration/subgraphs/${camel}Subgraph.test.ts`,
    `// The ${name} subgraph (written by \`npm run subgraph:new\`): refuses callers without the gateway's identity,
// and serves its queries and mutation through a real gateway with a caller's token, batching entity loads.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { errorCodes, postGraphQL } from '../../support/http.js';
import { startSampleGraph, type SampleGraph } from '../../support/sampleGraph.js';

describe('${name} subgraph', () => {
  let graph: SampleGraph | undefined;
  before(async () => {
    graph = await startSampleGraph({ subgraphs: ['${name}'] });
  }, { timeout: 60_000 });
  after(() => graph?.stop(), { timeout: 30_000 });

  test('a direct call without the gateway identity is refused with 401', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(\`\${graph!.subgraphs['${name}']!.url}/graphql\`, { query: '{ ${many} { id } }' });
    assert.equal(response.status, 401);
    assert.deepEqual(errorCodes(response), ['UNAUTHENTICATED']);
  });

  test('through the gateway: list and find, with one batched data-layer call for several ids', { timeout: 30_000 }, async () => {
    const response = await postGraphQL(graph!.graphqlUrl, { query: '{ ${many}(first: 5) { id title } a: ${one}(id: "${one}-1") { id } b: ${one}(id: "nope") { id } }' });
    assert.equal(response.status, 200);
    assert.equal(response.body.errors, undefined, JSON.stringify(response.body.errors));
    assert.deepEqual(response.body.data, { ${many}: [{ id: '${one}-1', title: 'The first ${entity}' }], a: { id: '${one}-1' }, b: null });
    const calls = (await (await fetch(\`\${graph!.subgraphs['${name}']!.url}/debug/data-layer-calls\`)).json()) as Record<string, number>;
    assert.equal(calls['${name}.findByIds'], 1);
  });

  test('${create} needs a caller; it records the caller from the verified identity', { timeout: 30_000 }, async () => {
    const anonymous = await postGraphQL(graph!.graphqlUrl, { query: 'mutation { ${create}(title: "x") { id } }' });
    assert.deepEqual(errorCodes(anonymous), ['UNAUTHORIZED_FIELD_OR_TYPE']);
    const token = await graph!.tokenFor('user-7', []);
    const created = await postGraphQL(graph!.graphqlUrl, { query: 'mutation { ${create}(title: "Hello") { title createdBy } }' }, { authorization: \`Bearer \${token}\` });
    assert.deepEqual(created.body.data, { ${create}: { title: 'Hello', createdBy: 'user-7' } });
    const invalid = await postGraphQL(graph!.graphqlUrl, { query: 'mutation { ${create}(title: " ") { id } }' }, { authorization: \`Bearer \${token}\` });
    assert.deepEqual(errorCodes(invalid), ['BAD_USER_INPUT']);
  });
});
`,
  );
  return files;
}
