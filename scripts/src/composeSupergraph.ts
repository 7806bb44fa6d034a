// Composes the subgraphs listed in rover.yaml with @apollo/composition (the library Rover runs) and turns
// composition errors into messages a subgraph team can act on: code, coordinate, subgraph file:line, hint.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { composeServices } from '@apollo/composition';
import { GraphQLError, Source, parse, type ASTNode, type DocumentNode } from 'graphql';
import type { RoverConfig, RoverSubgraph } from './roverConfig.js';

export type CompositionOutcome =
  | { ok: true; supergraphSdl: string; hints: string[] }
  | { ok: false; problems: string[] };

/** What to do about the composition errors teams hit most; anything else links the reference. */
const HINTS: Record<string, string> = {
  FIELD_TYPE_MISMATCH: 'give the field the same type in every subgraph that defines it (only nullability may differ, and only for output fields)',
  FIELD_ARGUMENT_TYPE_MISMATCH: 'give the argument the same type in every subgraph that defines the field',
  INVALID_FIELD_SHARING: 'a field resolved by several subgraphs must be marked @shareable in each of them, or moved to one subgraph',
  KEY_INVALID_FIELDS: 'every field named in @key must exist on the type in that subgraph (add it, or mark it @external)',
  EXTERNAL_MISSING_ON_BASE: 'a field marked @external must be defined (not external) in another subgraph',
  TYPE_KIND_MISMATCH: 'a type name must be the same kind (object, interface, enum, ...) in every subgraph',
  SATISFIABILITY_ERROR: 'some query cannot be planned across subgraphs: add a @key the other subgraph can resolve, or move the field',
  DIRECTIVE_DEFINITION_INVALID: 'custom directives shared through @composeDirective need identical definitions in every subgraph',
  INVALID_GRAPHQL: 'the subgraph schema is not valid GraphQL: fix it in the subgraph file first',
  INVALID_LINK_DIRECTIVE_USAGE: 'check the @link url and import list at the top of the subgraph schema',
};

function hintFor(code: string): string {
  return HINTS[code] ?? `see https://www.apollographql.com/docs/graphos/reference/federation/errors (code ${code})`;
}

/** The first `"Type.field"` or `"Type"` quoted in the message: the schema coordinate the error is about. */
function coordinateOf(message: string): string | null {
  return /"([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)"/.exec(message)?.[1] ?? null;
}

function subgraphsNamedIn(error: GraphQLError, known: readonly RoverSubgraph[]): Map<string, number | null> {
  const found = new Map<string, number | null>();
  for (const node of error.nodes ?? []) {
    const name = (node as ASTNode & { subgraph?: string }).subgraph;
    if (name) found.set(name, node.loc?.startToken.line ?? null);
  }
  for (const subgraph of known) {
    const named = error.message.includes(`[${subgraph.name}]`) || new RegExp(`subgraphs? [^:]*"${subgraph.name}"`).test(error.message);
    if (named && !found.has(subgraph.name)) found.set(subgraph.name, null);
  }
  return found;
}

export function formatCompositionError(error: GraphQLError, config: RoverConfig, cwd = process.cwd()): string {
  const code = String(error.extensions?.code ?? 'COMPOSITION_ERROR');
  const coordinate = coordinateOf(error.message);
  const where = [...subgraphsNamedIn(error, config.subgraphs)].map(([name, line]) => {
    const subgraph = config.subgraphs.find((s) => s.name === name);
    const file = subgraph ? relative(cwd, subgraph.schemaFile) : '?';
    return `${name} (${file}${line === null ? '' : `:${line}`})`;
  });
  return [
    `${code}${coordinate ? ` at ${coordinate}` : ''}`,
    `    ${error.message}`,
    `    subgraphs: ${where.length > 0 ? where.join(', ') : '(not named by composition)'}`,
    `    hint: ${hintFor(code)}`,
  ].join('\n');
}

function parseSubgraphSchema(subgraph: RoverSubgraph, cwd: string): DocumentNode | string {
  const file = relative(cwd, subgraph.schemaFile);
  let text: string;
  try {
    text = readFileSync(subgraph.schemaFile, 'utf8');
  } catch (error) {
    return `SCHEMA_FILE_UNREADABLE in subgraph ${subgraph.name}\n    ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n    hint: fix schema.file in rover.yaml (paths are relative to rover.yaml)`;
  }
  try {
    return parse(new Source(text, file));
  } catch (error) {
    const location = (error as GraphQLError).locations?.[0];
    return `GRAPHQL_PARSE_FAILED in subgraph ${subgraph.name}\n    ${file}${location ? `:${location.line}:${location.column}` : ''}: ${(error as Error).message}\n    hint: fix the syntax in the subgraph schema`;
  }
}

export function composeSupergraph(config: RoverConfig, cwd = process.cwd()): CompositionOutcome {
  const services: { name: string; url: string; typeDefs: DocumentNode }[] = [];
  const problems: string[] = [];
  for (const subgraph of config.subgraphs) {
    const typeDefs = parseSubgraphSchema(subgraph, cwd);
    if (typeof typeDefs === 'string') problems.push(typeDefs);
    else services.push({ name: subgraph.name, url: subgraph.routingUrl, typeDefs });
  }
  if (problems.length > 0) return { ok: false, problems };
  const result = composeServices(services);
  const hints = (result.hints ?? []).map((hint) => `${hint.definition.code}: ${hint.message}`);
  if (result.errors) return { ok: false, problems: result.errors.map((error) => formatCompositionError(error, config, cwd)) };
  return { ok: true, supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`, hints };
}
