// Maps each API schema Apollo Server serves to the supergraph it was built from, so policy readers
// (authorization, rate limits) always use the policy of the schema a request runs against: a hot
// reload can never pair a new schema with an old policy, and in-flight requests keep theirs.
import type { GraphQLSchema } from 'graphql';
import type { PreparedSupergraph } from './securityFeatures.js';

export class SupergraphRegistry {
  private readonly bySchema = new WeakMap<GraphQLSchema, PreparedSupergraph>();
  private current: { schema: GraphQLSchema; supergraph: PreparedSupergraph } | undefined;

  register(schema: GraphQLSchema, supergraph: PreparedSupergraph): void {
    this.bySchema.set(schema, supergraph);
    this.current = { schema, supergraph };
  }

  /** The supergraph behind `schema`; throws if the schema was never registered (a bug: fail closed). */
  supergraphFor(schema: GraphQLSchema): PreparedSupergraph {
    const supergraph = this.bySchema.get(schema);
    if (!supergraph) throw new Error('no supergraph registered for this schema');
    return supergraph;
  }

  get latest(): { schema: GraphQLSchema; supergraph: PreparedSupergraph } | undefined {
    return this.current;
  }
}
