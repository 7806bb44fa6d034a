// The authorization rewrite, a pure function: the operation minus every field the caller may not
// see, plus one entry per removed field (its response path and schema coordinate) so the plugin can
// answer `null` + UNAUTHORIZED_FIELD_OR_TYPE there. Done before planning, so no subgraph ever
// receives an unauthorized field.
import {
  GraphQLIncludeDirective, GraphQLSkipDirective, Kind, getDirectiveValues, getNamedType, getNullableType, isCompositeType, isListType, isNonNullType, visit,
  type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType, type GraphQLField, type GraphQLOutputType,
  type GraphQLSchema, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode,
} from 'graphql';
import type { AuthIdentity } from '../auth/authIdentity.js';
import type { AuthorizationPolicy } from './authorizationPolicy.js';
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

export interface AuthorizationRewrite {
  /** The operation to execute; null when nothing is left to execute (answer without executing).
   * The very same object as the input when nothing was removed. */
  document: DocumentNode | null;
  /** One UNAUTHORIZED_FIELD_OR_TYPE error each. */
  removed: RemovedField[];
  /** Where to put `null` in the response data. */
  nulled: NulledPath[];
  /** A non-null root field was removed: the whole `data` is null (GraphQL null propagation). */
  dataIsNull: boolean;
}

export interface RewriteInput {
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
  /** The API schema the operation was validated against. */
  schema: GraphQLSchema;
  policy: AuthorizationPolicy;
  auth: AuthIdentity | null;
}

export function removeUnauthorizedFields(input: RewriteInput): AuthorizationRewrite {
  const { document, schema } = input;
  const operation = selectOperation(document, input.operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new Error(`schema has no ${operation.operation} type`);

  const removed = new Map<string, RemovedField>();
  const nulled = new Map<string, NulledPath>();
  const rewrittenFragments = new Map<string, FragmentDefinitionNode>();
  const variables = input.variables ?? {};
  const drop = (path: string[], parentType: string, error: string | undefined) => {
    const key = path.join('\u0000');
    nulled.set(`${key}|${parentType}`, { path, parentType });
    if (error) removed.set(`${key}|${error}`, { path, coordinate: error });
  };

  // `included` is false under @skip/@include that exclude a selection: it is removed from the
  // document but is not in the response either, so it gets no error and no null.
  // `poisoned`: a non-null field was nulled, so the enclosing object is null too (GraphQL's null
  // propagation); fragments cannot tell which concrete type will come back, so they poison their
  // parent whatever the runtime type (fail closed: less data, never a schema-violating response).
  const rewriteSelectionSet = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, path: string[], included: boolean): Rewritten<SelectionSetNode> => {
    const kept: SelectionNode[] = [];
    let changed = false;
    let poisoned = false;
    for (const selection of selectionSet.selections) {
      const next = rewriteSelection(selection, parentType, path, included && isIncluded(selection, variables));
      poisoned ||= next.poisoned;
      if (next.node !== selection) changed = true;
      if (next.node) kept.push(next.node);
    }
    if (kept.length === 0) return { node: null, poisoned };
    return { node: changed ? { ...selectionSet, selections: kept } : selectionSet, poisoned };
  };

  const rewriteSelection = (selection: SelectionNode, parentType: GraphQLCompositeType, path: string[], included: boolean): Rewritten<SelectionNode> => {
    switch (selection.kind) {
      case Kind.FIELD:
        return rewriteField(selection, parentType, path, included);
      case Kind.INLINE_FRAGMENT: {
        const type = selection.typeCondition ? compositeType(schema, selection.typeCondition.name.value) : parentType;
        const { node, poisoned } = rewriteSelectionSet(selection.selectionSet, type, path, included);
        if (!node) return { node: null, poisoned };
        return { node: node === selection.selectionSet ? selection : { ...selection, selectionSet: node }, poisoned };
      }
      case Kind.FRAGMENT_SPREAD: {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) throw new Error(`unknown fragment ${selection.name.value}`);
        // Authorization depends on type + field only, so a fragment rewrites the same way at every
        // use; it is still walked per use so each use reports its own response paths.
        const type = compositeType(schema, fragment.typeCondition.name.value);
        const { node, poisoned } = rewriteSelectionSet(fragment.selectionSet, type, path, included);
        if (!node) return { node: null, poisoned };
        if (!rewrittenFragments.has(fragment.name.value)) {
          rewrittenFragments.set(fragment.name.value, node === fragment.selectionSet ? fragment : { ...fragment, selectionSet: node });
        }
        return { node: selection, poisoned };
      }
    }
  };

  const rewriteField = (field: FieldNode, parentType: GraphQLCompositeType, path: string[], included: boolean): Rewritten<FieldNode> => {
    const name = field.name.value;
    if (name === '__typename') return { node: field, poisoned: false };
    const definition = fieldDefinition(parentType, name);
    // Validation passed, so this only happens for introspection meta-fields: policy does not apply.
    if (!definition) return { node: field, poisoned: false };
    const fieldPath = [...path, field.alias?.value ?? name];
    const coordinate = `${parentType.name}.${name}`;
    const removeField = (error: string | undefined): Rewritten<FieldNode> => {
      if (!included) return { node: null, poisoned: false };
      drop(fieldPath, parentType.name, error);
      return { node: null, poisoned: isNonNullType(definition.type) };
    };
    if (!isSatisfied(requirementsOfField(input.policy, schema, parentType, name), input.auth)) return removeField(coordinate);
    if (!field.selectionSet) return { node: field, poisoned: false };
    const childType = getNamedType(definition.type);
    if (!isCompositeType(childType)) return { node: field, poisoned: false };
    const child = rewriteSelectionSet(field.selectionSet, childType, [...fieldPath, ...listMarkers(definition.type)], included);
    // A nulled non-null child nulls this field (its error is already at the child's path).
    if (child.poisoned) return removeField(undefined);
    // Nothing left to select below: the field itself cannot be sent, so it is removed (and reported).
    if (!child.node) return removeField(coordinate);
    return { node: child.node === field.selectionSet ? field : { ...field, selectionSet: child.node }, poisoned: false };
  };

  const root = rewriteSelectionSet(operation.selectionSet, rootType, [], true);
  const result = { removed: [...removed.values()], nulled: [...nulled.values()], dataIsNull: root.poisoned };
  if (nulled.size === 0 && root.node === operation.selectionSet) return { document, removed: [], nulled: [], dataIsNull: false };
  if (!root.node || root.poisoned) return { document: null, ...result };
  return { document: assembleDocument({ ...operation, selectionSet: root.node }, rewrittenFragments), ...result };
}

interface Rewritten<T> {
  node: T | null;
  poisoned: boolean;
}

function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) throw new Error(operationName ? `unknown operation ${operationName}` : 'operationName is required with several operations');
  return operation;
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

function isIncluded(selection: SelectionNode, variables: Record<string, unknown>): boolean {
  const skip = getDirectiveValues(GraphQLSkipDirective, selection, variables);
  if (skip?.if === true) return false;
  const include = getDirectiveValues(GraphQLIncludeDirective, selection, variables);
  return include?.if !== false;
}

function compositeType(schema: GraphQLSchema, name: string): GraphQLCompositeType {
  const type = schema.getType(name);
  if (!type || !isCompositeType(type)) throw new Error(`${name} is not a composite type of the schema`);
  return type;
}

/** Unions have no fields of their own (only __typename, handled by the caller). */
function fieldDefinition(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  return 'getFields' in parentType ? parentType.getFields()[name] : undefined;
}

/** One "@" per list level between the field and its named type, e.g. [[User]] → ["@", "@"]. */
function listMarkers(type: GraphQLOutputType): string[] {
  const markers: string[] = [];
  let current: GraphQLOutputType = getNullableType(type);
  while (isListType(current)) {
    markers.push('@');
    current = getNullableType(current.ofType);
  }
  return markers;
}
