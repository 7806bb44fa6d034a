// The authorization rewrite: the operation minus every field the caller may not see, plus one entry
// per removed field that would have run (its response path and schema coordinate), so the pipeline can
// answer `null` + UNAUTHORIZED_FIELD_OR_TYPE there. Done before planning, so no subgraph ever receives
// an unauthorized field.
//
// It reads the operation analysis: which type each field node is selected on (the shape), and which
// fields will run with this request's variables (the analyzed tree, @skip/@include and defaults
// applied). The rewritten document depends only on the document and the set of denied field nodes,
// never on variables: it is built once per such set and reused (same object, same queryHash, so the
// query-plan cache works across callers with the same scopes and never across different ones).
import { createHash } from 'node:crypto';
import {
  Kind,
  isNonNullType,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import type { AuthIdentity } from '../auth/authIdentity.js';
import type { AnalyzedField, OperationAnalysis } from '../policy/operationAnalysis.js';
import type { OperationShape } from '../policy/operationShape.js';
import type { AccessRequirement, AuthorizationPolicy } from './authorizationPolicy.js';
import { isSatisfied, requirementsOfField } from './accessRequirement.js';

export interface RemovedField {
  /** Response keys (aliases where used); "@" stands for every element of a list, as routers report it. */
  path: string[];
  /** Schema coordinate `Type.field`. */
  coordinate: string;
}

/** A response path where the gateway puts `null` (removed fields and the parents that a removed
 * non-null field nulls), and the type whose field sits there. */
export interface NulledPath {
  path: string[];
  parentType: string;
}

/** The operation to execute instead of the client's, with its own query-plan cache key. */
export interface RewrittenDocument {
  readonly document: DocumentNode;
  /** sha256 of the printed document. */
  readonly queryHash: string;
}

export interface AuthorizationRewrite {
  /** The operation to execute: undefined when nothing was removed (run the client's document as is);
   * null when nothing is left to execute (answer without executing). */
  rewritten: RewrittenDocument | null | undefined;
  /** One UNAUTHORIZED_FIELD_OR_TYPE error each (fields that would have run). */
  removed: RemovedField[];
  /** Where to put `null` in the response data. */
  nulled: NulledPath[];
  /** A non-null root field was removed: the whole `data` is null (GraphQL null propagation). */
  dataIsNull: boolean;
  /**
   * The operation selects a field under @authenticated/@requiresScopes (met or not): what it may return
   * depends on the caller's grants, so its answer must never be shared with other callers (response cache).
   */
  guarded: boolean;
}

export interface RewriteInput {
  analysis: OperationAnalysis;
  policy: AuthorizationPolicy;
  auth: AuthIdentity | null;
}

export type AuthorizationRewriter = (input: RewriteInput) => AuthorizationRewrite;

/** Why a field node left the document. */
type Removal = 'unauthorized' | 'emptied' | 'poisoned';

interface StaticRewrite {
  readonly rewritten: RewrittenDocument | null;
  readonly removals: ReadonlyMap<FieldNode, Removal>;
  readonly rootPoisoned: boolean;
}

/** Rewrites are cached per operation shape and set of denied nodes; requirements per shape and node. */
export function createAuthorizationRewriter(): AuthorizationRewriter {
  // One policy per schema, and a shape belongs to one schema: one entry per shape.
  const requirementsByShape = new WeakMap<OperationShape, { policy: AuthorizationPolicy; requirements: Map<FieldNode, AccessRequirement[]> }>();
  // By the requirements map of one shape and policy: a set of denied nodes is identified by their indexes in it.
  const rewritesByRequirements = new WeakMap<Map<FieldNode, AccessRequirement[]>, Map<string, StaticRewrite>>();

  const requirementsOf = (shape: OperationShape, policy: AuthorizationPolicy): Map<FieldNode, AccessRequirement[]> => {
    const cached = requirementsByShape.get(shape);
    if (cached?.policy === policy) return cached.requirements;
    const requirements = new Map<FieldNode, AccessRequirement[]>();
    for (const [node, info] of shape.fields) {
      const found = requirementsOfField(policy, shape.schema, info.parentType, info.fieldDef.name);
      if (found.length > 0) requirements.set(node, found);
    }
    requirementsByShape.set(shape, { policy, requirements });
    return requirements;
  };

  return ({ analysis, policy, auth }) => {
    const { shape } = analysis;
    const requirements = requirementsOf(shape, policy);
    const denied: FieldNode[] = [];
    const deniedIndexes: number[] = [];
    let index = 0;
    for (const [node, required] of requirements) {
      if (!isSatisfied(required, auth)) {
        denied.push(node);
        deniedIndexes.push(index);
      }
      index++;
    }
    if (denied.length === 0) return { rewritten: undefined, removed: [], nulled: [], dataIsNull: false, guarded: requirements.size > 0 };

    let rewrites = rewritesByRequirements.get(requirements);
    if (!rewrites) rewritesByRequirements.set(requirements, (rewrites = new Map()));
    const key = deniedIndexes.join(',');
    let rewrite = rewrites.get(key);
    if (!rewrite) {
      rewrite = rewriteStatically(shape, new Set(denied));
      rewrites.set(key, rewrite);
    }
    const { removed, nulled } = reportRemovals(analysis.rootFields, rewrite.removals);
    return { rewritten: rewrite.rewritten, removed, nulled, dataIsNull: rewrite.rootPoisoned, guarded: true };
  };
}

interface Rewritten<T> {
  node: T | null;
  /** A non-null field was removed: the enclosing object is null too (GraphQL's null propagation). */
  poisoned: boolean;
}

/**
 * Removes the denied nodes everywhere in the operation (skipped or not: the result must not depend
 * on variables), then what they leave behind: a field whose selection became empty, and the parent
 * of a removed non-null field. Fragments cannot tell which concrete type will come back, so they
 * poison their parent whatever the runtime type (fail closed: less data, never a schema-violating
 * response).
 */
function rewriteStatically(shape: OperationShape, denied: ReadonlySet<FieldNode>): StaticRewrite {
  const removals = new Map<FieldNode, Removal>();
  const fragmentResults = new Map<string, Rewritten<SelectionSetNode>>();
  const rewrittenFragments = new Map<string, FragmentDefinitionNode>();

  const rewriteSelectionSet = (selectionSet: SelectionSetNode): Rewritten<SelectionSetNode> => {
    const kept: SelectionNode[] = [];
    let changed = false;
    let poisoned = false;
    for (const selection of selectionSet.selections) {
      const next = rewriteSelection(selection);
      poisoned ||= next.poisoned;
      if (next.node !== selection) changed = true;
      if (next.node) kept.push(next.node);
    }
    if (kept.length === 0) return { node: null, poisoned };
    return { node: changed ? { ...selectionSet, selections: kept } : selectionSet, poisoned };
  };

  const rewriteSelection = (selection: SelectionNode): Rewritten<SelectionNode> => {
    if (selection.kind === Kind.FIELD) return rewriteField(selection);
    if (selection.kind === Kind.INLINE_FRAGMENT) {
      const { node, poisoned } = rewriteSelectionSet(selection.selectionSet);
      if (!node) return { node: null, poisoned };
      return { node: node === selection.selectionSet ? selection : { ...selection, selectionSet: node }, poisoned };
    }
    const name = selection.name.value;
    const fragment = shape.fragments.get(name);
    if (!fragment) return { node: selection, poisoned: false };
    // Authorization depends on type + field only, so a fragment rewrites the same way at every use.
    let result = fragmentResults.get(name);
    if (!result) {
      result = rewriteSelectionSet(fragment.selectionSet);
      fragmentResults.set(name, result);
      if (result.node) rewrittenFragments.set(name, result.node === fragment.selectionSet ? fragment : { ...fragment, selectionSet: result.node });
    }
    return { node: result.node ? selection : null, poisoned: result.poisoned };
  };

  const rewriteField = (field: FieldNode): Rewritten<FieldNode> => {
    const info = shape.fields.get(field);
    if (!info) return { node: field, poisoned: false }; // __typename
    const remove = (why: Removal): Rewritten<FieldNode> => {
      removals.set(field, why);
      return { node: null, poisoned: isNonNullType(info.fieldDef.type) };
    };
    if (denied.has(field)) return remove('unauthorized');
    if (!field.selectionSet) return { node: field, poisoned: false };
    const child = rewriteSelectionSet(field.selectionSet);
    if (child.poisoned) return remove('poisoned');
    // Nothing left to select below: the field itself cannot be sent, so it goes (and is reported).
    if (!child.node) return remove('emptied');
    return { node: child.node === field.selectionSet ? field : { ...field, selectionSet: child.node }, poisoned: false };
  };

  const root = rewriteSelectionSet(shape.operation.selectionSet);
  if (!root.node || root.poisoned) return { rewritten: null, removals, rootPoisoned: root.poisoned };
  const document = assembleDocument({ ...shape.operation, selectionSet: root.node }, rewrittenFragments);
  return { rewritten: { document, queryHash: createHash('sha256').update(print(document)).digest('hex') }, removals, rootPoisoned: false };
}

/**
 * Errors and nulls for the removed fields that would have run with this request's variables: one
 * error per removed field (the parent a non-null field poisons gets `null` but no error of its own),
 * at every response path the field has. Below an unauthorized field nothing else is reported.
 */
function reportRemovals(rootFields: readonly AnalyzedField[], removals: ReadonlyMap<FieldNode, Removal>): { removed: RemovedField[]; nulled: NulledPath[] } {
  const removed = new Map<string, RemovedField>();
  const nulled = new Map<string, NulledPath>();
  const walk = (fields: readonly AnalyzedField[]) => {
    for (const field of fields) {
      let descend = true;
      field.nodes.forEach((node, i) => {
        const why = removals.get(node);
        const info = field.infos[i];
        if (!why || !info) return;
        const pathKey = field.path.join('\u0000');
        nulled.set(`${pathKey}|${info.parentType.name}`, { path: [...field.path], parentType: info.parentType.name });
        if (why !== 'poisoned') removed.set(`${pathKey}|${info.coordinate}`, { path: [...field.path], coordinate: info.coordinate });
        if (why === 'unauthorized') descend = false;
      });
      if (descend) walk(field.children);
    }
  };
  walk(rootFields);
  return { removed: [...removed.values()], nulled: [...nulled.values()] };
}

/**
 * Only the executed operation and the fragments it still reaches, without variable definitions
 * that are no longer used: the rewritten document stays valid (NoUnusedFragments/Variables).
 */
function assembleDocument(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): DocumentNode {
  const reachable = new Map<string, FragmentDefinitionNode>();
  const usedVariables = new Set<string>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode | SelectionSetNode) => {
    visit(node, {
      VariableDefinition: () => false,
      Variable: (variable) => {
        usedVariables.add(variable.name.value);
      },
      FragmentSpread: (spread) => {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !reachable.has(spread.name.value)) {
          reachable.set(spread.name.value, fragment);
          collect(fragment);
        }
      },
    });
  };
  collect(operation.selectionSet);
  for (const directive of operation.directives ?? []) visit(directive, { Variable: (v) => void usedVariables.add(v.name.value) });
  const variableDefinitions = operation.variableDefinitions?.filter((v) => usedVariables.has(v.variable.name.value));
  return {
    kind: Kind.DOCUMENT,
    definitions: [{ ...operation, variableDefinitions }, ...reachable.values()],
  };
}
