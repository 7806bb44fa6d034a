// Composes small fixture supergraphs in tests, with @apollo/composition (what `npm run compose` uses).
import { readFileSync, writeFileSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { repoRoot } from './processes.js';
import { join } from 'node:path';

export interface FixtureSubgraph {
  name: string;
  url: string;
  /** SDL text; defaults to the file at `schemaFile`. */
  sdl?: string;
  /** Path relative to the repo root. */
  schemaFile?: string;
}

export function composeFixture(subgraphs: FixtureSubgraph[]): string {
  const result = composeServices(
    subgraphs.map((s) => ({
      name: s.name,
      url: s.url,
      typeDefs: parse(s.sdl ?? readFileSync(join(repoRoot, s.schemaFile!), 'utf8')),
    })),
  );
  if (result.errors) throw new Error(`fixture composition failed: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.supergraphSdl;
}

export function writeFixture(path: string, sdl: string): void {
  writeFileSync(path, sdl);
}
