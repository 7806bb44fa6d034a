// The authorization rewrite, a pure function: the operation minus every field the caller may not
// see, plus one entry per removed field (its response path and schema coordinate) so the plugin can
// answer `null` + UNAUTHORIZED_FIELD_OR_TYPE there. Done before planning, so no subgraph ever
// receives an unauthorized field.
import {
  GraphQLIncludeDirective, GraphQLSkipDirective, Kind, getDirectiveValues, getNamedType, getNullableType, isCompositeType, isListType, visit,
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

export interface AuthorizationRewrite {
  /** The operation to execute; null when nothing authorized is left (answer without executing).
   * The very same object as the input when nothing was removed. */
  document: DocumentNode | null;
  removed: RemovedField[];
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
  const rewrittenFragments = new Map<string, FragmentDefinitionNode>();
  const variables = input.variables ?? {};
  const report = (path: string[], coordinate: string, reported: boolean) => {
    if (reported) removed.set(`${path.join('\u0000')}|${coordinate}`, { path, coordinate });
  };

  /** `reported` is false under @skip/@include that exclude the selection: removed, but not an error. */
  const rewriteSelectionSet = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, path: string[], reported: boolean): SelectionSetNode | null => {
    const kept: SelectionNode[] = [];
    let changed = false;
    for (const selection of selectionSet.selections) {
      const included = reported && isIncluded(selection, variables);
      const next = rewriteSelection(selection, parentType, path, included);
      if (next !== selection) changed = true;
      if (next) kept.push(next);
    }
    if (kept.length === 0) return null;
    return changed ? { ...selectionSet, selections: kept } : selectionSet;
  };

  const rewriteSelection = (selection: SelectionNode, parentType: GraphQLCompositeType, path: string[], reported: boolean): SelectionNode | null => {
    switch (selection.kind) {
      case Kind.FIELD:
        return rewriteField(selection, parentType, path, reported);
      case Kind.INLINE_FRAGMENT: {
        const type = selection.typeCondition ? compositeType(schema, selection.typeCondition.name.value) : parentType;
        const selectionSet = rewriteSelectionSet(selection.selectionSet, type, path, reported);
        if (!selectionSet) return null;
        return selectionSet === selection.selectionSet ? selection : { ...selection, selectionSet };
      }
      case Kind.FRAGMENT_SPREAD: {
        const fragment = fragments.get(selection.name.value);
        if (!fragment) throw new Error(`unknown fragment ${selection.name.value}`);
        // Authorization depends on type + field only, so a fragment rewrites the same way at every
        // use; it is still walked per use so each use reports its own response paths.
        const type = compositeType(schema, fragment.typeCondition.name.value);
        const selectionSet = rewriteSelectionSet(fragment.selectionSet, type, path, reported);
        if (!selectionSet) return null;
        if (!rewrittenFragments.has(fragment.name.value)) {
          rewrittenFragments.set(fragment.name.value, selectionSet === fragment.selectionSet ? fragment : { ...fragment, selectionSet });
        }
        return selection;
      }
    }
  };

  const rewriteField = (field: FieldNode, parentType: GraphQLCompositeType, path: string[], reported: boolean): FieldNode | null => {
    const name = field.name.value;
    if (name === '__typename') return field;
    const definition = fieldDefinition(parentType, name);
    // Validation passed, so this only happens for introspection meta-fields: policy does not apply.
    if (!definition) return field;
    const fieldPath = [...path, field.alias?.value ?? name];
    const coordinate = `${parentType.name}.${name}`;
    if (!isSatisfied(requirementsOfField(input.policy, schema, parentType, name), input.auth)) {
      report(fieldPath, coordinate, reported);
      return null;
    }
    if (!field.selectionSet) return field;
    const childType = getNamedType(definition.type);
    if (!isCompositeType(childType)) return field;
    const selectionSet = rewriteSelectionSet(field.selectionSet, childType, [...fieldPath, ...listMarkers(definition.type)], reported);
    if (!selectionSet) {
      // Nothing left to select below: the field itself cannot be sent, so it is removed too.
      report(fieldPath, coordinate, reported);
      return null;
    }
    return selectionSet === field.selectionSet ? field : { ...field, selectionSet };
  };

  const rootSelectionSet = rewriteSelectionSet(operation.selectionSet, rootType, [], true);
  const result = [...removed.values()];
  if (result.length === 0 && rootSelectionSet === operation.selectionSet) return { document, removed: [] };
  if (!rootSelectionSet) return { document: null, removed: result };
  return { document: assembleDocument({ ...operation, selectionSet: rootSelectionSet }, rewrittenFragments), removed: result };
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
