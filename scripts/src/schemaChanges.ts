// Classifies what a subgraph change does to clients: the API schema composed from the working tree
// against the API schema of the committed supergraph.graphql, through @graphql-inspector/core's diff
// (breaking: removed type/field/enum value/argument, output nullability loosened, input nullability
// tightened, argument made required; dangerous: e.g. an enum value added, a default changed; safe: the rest).
// Each change names its schema coordinate and the subgraph file(s) that caused it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Schema } from '@apollo/federation-internals';
import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { parse, type DefinitionNode, type DocumentNode } from 'graphql';
import { buildSupergraph, clientSchemaOfSupergraph } from '@federation-gateway/gateway/client-schema';
import type { RoverConfig } from './roverConfig.js';

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

export interface SchemaChange {
  level: ChangeLevel;
  /** Schema coordinate, e.g. "Order.createdAt", "Query.users.first", "OrderStatus.SHIPPED". */
  coordinate: string;
  message: string;
  /** Why it is breaking or dangerous, from @graphql-inspector/core. */
  reason: string | undefined;
  /** Where it comes from, e.g. "orders (subgraphs/orders/schema.graphql:31)"; empty when no subgraph defines it. */
  sources: string[];
}

const LEVELS: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/** Does this subgraph (extracted from a supergraph) define the coordinate? Type.field.arg, Type.field, Enum.VALUE, Type. */
function definesCoordinate(schema: Schema, coordinate: string): boolean {
  const [typeName, member, argument] = coordinate.split('.');
  const type = schema.type(typeName!);
  if (!type) return false;
  if (member === undefined) return true;
  if (type.kind === 'EnumType') return type.value(member) !== undefined;
  if (type.kind === 'InputObjectType') return type.field(member) !== undefined && argument === undefined;
  if (type.kind === 'ObjectType' || type.kind === 'InterfaceType') {
    const field = type.field(member);
    return field !== undefined && (argument === undefined || field.argument(argument) !== undefined);
  }
  return true;
}

/** Line of the coordinate's definition in a subgraph's SDL file, when it is there. */
function lineOf(document: DocumentNode | undefined, coordinate: string): number | undefined {
  if (!document) return undefined;
  const [typeName, member] = coordinate.split('.');
  for (const definition of document.definitions as (DefinitionNode & { name?: { value: string }; fields?: readonly { name: { value: string }; loc?: { startToken: { line: number } } }[]; values?: readonly { name: { value: string }; loc?: { startToken: { line: number } } }[] })[]) {
    if (definition.name?.value !== typeName) continue;
    if (member === undefined) return definition.loc?.startToken.line;
    const found = [...(definition.fields ?? []), ...(definition.values ?? [])].find((node) => node.name.value === member);
    if (found) return found.loc?.startToken.line;
  }
  return undefined;
}

function parseQuietly(file: string): DocumentNode | undefined {
  try {
    return parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The changes from `baseSupergraphSdl` to `nextSupergraphSdl`, as clients see them (API schemas), each
 * attributed to the subgraphs that define the coordinate: in the next supergraph, or in the base one
 * for a removal.
 */
export async function findSchemaChanges(baseSupergraphSdl: string, nextSupergraphSdl: string, config: RoverConfig, cwd = process.cwd()): Promise<SchemaChange[]> {
  // The same supergraph text is the same client-facing schema: nothing to build (~0.2 CPU-s), e.g. a
  // schema:check with no subgraph edited since the last compose.
  if (baseSupergraphSdl === nextSupergraphSdl) return [];
  // Each supergraph built once, for its API schema and (only when something changed) its subgraphs.
  const baseSupergraph = buildSupergraph(baseSupergraphSdl);
  const nextSupergraph = buildSupergraph(nextSupergraphSdl);
  const changes: Change[] = await diff(clientSchemaOfSupergraph(baseSupergraph), clientSchemaOfSupergraph(nextSupergraph));
  if (changes.length === 0) return [];
  const base = baseSupergraph.subgraphs().values();
  const next = nextSupergraph.subgraphs().values();
  const documents = new Map(config.subgraphs.map((subgraph) => [subgraph.name, parseQuietly(subgraph.schemaFile)]));

  return changes.map((change) => {
    const coordinate = change.path ?? '(schema)';
    const inNext = next.filter((subgraph) => definesCoordinate(subgraph.schema, coordinate));
    const owners = inNext.length > 0 ? inNext : base.filter((subgraph) => definesCoordinate(subgraph.schema, coordinate));
    const removed = inNext.length === 0;
    const sources = owners.map((subgraph) => {
      const rover = config.subgraphs.find((candidate) => candidate.name === subgraph.name);
      if (!rover) return `${subgraph.name} (no longer in rover.yaml)`;
      const file = relative(cwd, rover.schemaFile);
      const line = removed ? undefined : lineOf(documents.get(subgraph.name), coordinate);
      return `${subgraph.name} (${file}${line === undefined ? '' : `:${line}`}${removed ? ', removed there' : ''})`;
    });
    return { level: LEVELS[change.criticality.level], coordinate, message: change.message, reason: change.criticality.reason, sources };
  });
}

const MARKS: Record<ChangeLevel, string> = { breaking: '✗', dangerous: '!', safe: '✓' };
const TITLES: Record<ChangeLevel, string> = { breaking: 'breaking', dangerous: 'dangerous', safe: 'safe' };

/** A report grouped by level, breaking first; one block per change. */
export function formatSchemaChanges(changes: readonly SchemaChange[]): string {
  const blocks: string[] = [];
  for (const level of ['breaking', 'dangerous', 'safe'] as const) {
    const ofLevel = changes.filter((change) => change.level === level);
    if (ofLevel.length === 0) continue;
    const lines = [`${ofLevel.length} ${TITLES[level]} change${ofLevel.length === 1 ? '' : 's'}:`];
    for (const change of ofLevel) {
      lines.push(`  ${MARKS[level]} ${change.coordinate}: ${change.message}`);
      lines.push(`      subgraph: ${change.sources.length > 0 ? change.sources.join(', ') : '(none named)'}`);
      // The library's reasons run long: its first two sentences say what and why.
      if (level !== 'safe' && change.reason) lines.push(`      why: ${change.reason.split(/(?<=\.) /).slice(0, 2).join(' ')}`);
    }
    blocks.push(lines.join('\n'));
  }
  return blocks.length > 0 ? blocks.join('\n\n') : 'no changes to the client-facing schema';
}

export const ALLOW_BREAKING_HINT =
  'Clients that use these coordinates would fail. Prefer deprecating first (@deprecated(reason: "...")) and removing later; ' +
  'if the break is intended, pass --allow-breaking (`npm run schema:check -- --allow-breaking`, `npm run compose -- --allow-breaking`).';
