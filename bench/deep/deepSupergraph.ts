// Composes the deep benchmark's supergraph from the four SDL files in bench/deep/schemas, with routing
// URLs pointing at the running deep subgraphs process (POST <base>/<name>). Composed at every bench run
// rather than committed: the SDL files stay the single source, and there is nothing to drift.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export const DEEP_SUBGRAPH_NAMES = ['accounts', 'inventory', 'products', 'reviews'] as const;

export function composeDeepSupergraph(schemaDir: string, subgraphsBaseUrl: string): string {
  const result = composeServices(
    DEEP_SUBGRAPH_NAMES.map((name) => ({
      name,
      url: `${subgraphsBaseUrl}/${name}`,
      typeDefs: parse(readFileSync(join(schemaDir, `${name}.graphql`), 'utf8')),
    })),
  );
  if (result.errors) throw new Error(`deep bench supergraph does not compose:\n${result.errors.map((e) => e.message).join('\n')}`);
  return result.supergraphSdl;
}
