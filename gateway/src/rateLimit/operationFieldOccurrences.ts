// Finds every occurrence of a limited field in the operation that is about to run, before execution.
// Each occurrence is one hit: aliases, inline and named fragments (a fragment spread twice counts
// twice) and the same field reached through several paths all count, so 10 aliases = 10 hits.
// Fields skipped by @skip/@include (variables resolved) never execute and are not counted.
// A field selected on an interface or union counts for the interface's coordinate and for every
// possible type's coordinate that is limited: the runtime type is unknown before execution, so this
// errs on the side of counting.
import {
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

export interface LimitedFieldOccurrence {
  /** "Type.field" whose limit this occurrence counts against. */
  readonly coordinate: string;
  /** The occurrence's arguments, coerced, with variables resolved (for identityArgs). */
  readonly args: Readonly<Record<string, unknown>>;
}

export interface OccurrenceQuery {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  variables?: Record<string, unknown> | null | undefined;
  /** Whether "Type.field" has a limit (for any tier). */
  isLimited: (coordinate: string) => boolean;
}

/** Depth guard against pathological (already invalid) fragment cycles; validation rejects real cycles first. */
const MAX_FRAGMENT_DEPTH = 100;

export function collectLimitedFieldOccurrences(query: OccurrenceQuery): LimitedFieldOccurrence[] {
  const operation = selectOperation(query.document, query.operationName);
  if (!operation) return [];
  const rootType = query.schema.getRootType(operation.operation);
  if (!rootType) return [];
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of query.document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  const coerced = getVariableValues(query.schema, operation.variableDefinitions ?? [], query.variables ?? {});
  // Invalid variables fail execution anyway; count with the raw values rather than not at all.
  const variables: Record<string, unknown> = coerced.coerced ?? { ...(query.variables ?? {}) };
  const found: LimitedFieldOccurrence[] = [];

  const included = (node: FieldNode | FragmentSpreadNode | InlineFragmentNode): boolean => {
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    if (getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if === false) return false;
    return true;
  };

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType, fragmentDepth: number): void => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const fieldDef = fieldDefinition(parentType, selection.name.value);
        if (!fieldDef) continue; // __typename, introspection, or unknown (validation reports the latter)
        const coordinates = new Set<string>([`${parentType.name}.${fieldDef.name}`]);
        if (isAbstractType(parentType)) {
          for (const possible of query.schema.getPossibleTypes(parentType)) coordinates.add(`${possible.name}.${fieldDef.name}`);
        }
        const limited = [...coordinates].filter(query.isLimited);
        if (limited.length > 0) {
          const args = argumentValues(fieldDef, selection, variables);
          for (const coordinate of limited) found.push({ coordinate, args });
        }
        const fieldType = getNamedType(fieldDef.type);
        if (selection.selectionSet && isCompositeType(fieldType)) walk(selection.selectionSet, fieldType, fragmentDepth);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? query.schema.getType(selection.typeCondition.name.value) : parentType;
        if (narrowed && isCompositeType(narrowed)) walk(selection.selectionSet, narrowed, fragmentDepth);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || fragmentDepth >= MAX_FRAGMENT_DEPTH) continue;
        const narrowed = query.schema.getType(fragment.typeCondition.name.value);
        if (narrowed && isCompositeType(narrowed)) walk(fragment.selectionSet, narrowed, fragmentDepth + 1);
      }
    }
  };

  walk(operation.selectionSet, rootType, 0);
  return found;
}

function selectOperation(document: DocumentNode, operationName: string | null | undefined): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (operationName) return operations.find((o) => o.name?.value === operationName);
  return operations.length === 1 ? operations[0] : undefined;
}

function fieldDefinition(parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (isObjectType(parentType) || isInterfaceType(parentType)) return parentType.getFields()[name];
  return undefined; // unions only have __typename
}

function argumentValues(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(fieldDef, node, variables);
  } catch {
    return {}; // invalid arguments fail execution; the hit still counts, under the no-arguments key
  }
}
