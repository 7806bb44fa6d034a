// Subgraph health for GET /readyz (when `readiness.checkSubgraphs` is on): each subgraph is asked
// `{ __typename }` through its datasource — the same path, identity signing and URL as real traffic —
// and the result is reused for `cacheMs` so frequent probes do not multiply subgraph load.
import type { GraphQLDataSource } from '@apollo/gateway';
import { GraphQLDataSourceRequestKind } from '@apollo/gateway/dist/datasources/types.js';

/** The query @apollo/gateway's own health check sends. */
const HEALTH_CHECK_QUERY = 'query __ApolloServiceHealthCheck__ { __typename }';

export type SubgraphHealth = Record<string, 'ok' | 'unavailable'>;

export interface SubgraphHealthCheckerOptions {
  /** The datasource currently serving each subgraph. */
  dataSources: () => ReadonlyMap<string, GraphQLDataSource>;
  timeoutMs: number;
  cacheMs: number;
  onFailure?: (subgraph: string, error: unknown) => void;
}

export function createSubgraphHealthChecker(options: SubgraphHealthCheckerOptions): () => Promise<SubgraphHealth> {
  let cached: { at: number; health: Promise<SubgraphHealth> } | undefined;

  const checkOne = async (name: string, dataSource: GraphQLDataSource): Promise<'ok' | 'unavailable'> => {
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await Promise.race([
        dataSource.process({ kind: GraphQLDataSourceRequestKind.HEALTH_CHECK, request: { query: HEALTH_CHECK_QUERY }, context: {} }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
        }),
      ]);
      if (response.errors?.length) throw new Error(response.errors[0]?.message ?? 'errors in health check response');
      return 'ok';
    } catch (error) {
      options.onFailure?.(name, error);
      return 'unavailable';
    } finally {
      clearTimeout(timer);
    }
  };

  const checkAll = async (): Promise<SubgraphHealth> => {
    const entries = await Promise.all([...options.dataSources()].map(async ([name, dataSource]) => [name, await checkOne(name, dataSource)] as const));
    return Object.fromEntries(entries);
  };

  return () => {
    const now = Date.now();
    if (!cached || now - cached.at >= options.cacheMs) cached = { at: now, health: checkAll() };
    return cached.health;
  };
}
