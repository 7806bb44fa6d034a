// The static half of the operation analysis: what every field node of one operation IS (the type it is
// selected on, its definition), independent of variables and caller.
//
// Every fragment definition is walked once, with the type of its condition, so the cost is linear in
// the document's size however often fragments are spread (validation has already rejected cycles).
// The operation analyzer caches shapes per schema + document + operation name: Apollo Server hands the
// same DocumentNode object to every request with the same query text (its document store).
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  type ArgumentNode,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** What one field node of the document selects. */
export interface FieldNodeInfo {
  /** The type the field is selected on, from its enclosing selection set (may be abstract). */
  readonly parentType: GraphQLCompositeType;
  /** The field's definition, introspection meta-fields included. */
  readonly fieldDef: GraphQLField<unknown, unknown>;
  /** Schema coordinate `Type.field` of `parentType`. */
  readonly coordinate: string;
}

export interface OperationShape {
  readonly schema: GraphQLSchema;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly rootType: GraphQLObjectType;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** Every field node of the operation and of the fragments it reaches (skipped or not), except __typename. */
  readonly fields: ReadonlyMap<FieldNode, FieldNodeInfo>;
  /** Variables used in @skip/@include anywhere in the operation (they change which fields run). */
  readonly conditionVariables: ReadonlySet<string>;
  /** Variables used in the arguments of each field node (for list sizes read from arguments). */
  readonly argumentVariables: ReadonlyMap<FieldNode, readonly string[]>;
}

/** Why an operation cannot be analyzed; the pipeline answers these as request errors. */
export class OperationShapeError extends Error {
  override name = 'OperationShapeError';
  constructor(
    message: string,
    readonly reason: 'unknownOperation' | 'ambiguousOperation' | 'noRootType',
  ) {
    super(message);
  }
}

/** The definition of `name` on `parentType`, including introspection meta-fields (graphql-js keeps them apart). */
export function fieldDefinition(schema: GraphQLSchema, parentType: GraphQLCompositeType, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === TypeNameMetaFieldDef.name) return TypeNameMetaFieldDef;
  if (parentType === schema.getQueryType()) {
    if (name === SchemaMetaFieldDef.name) return SchemaMetaFieldDef;
    if (name === TypeMetaFieldDef.name) return TypeMetaFieldDef;
  }
  return isObjectType(parentType) || isInterfaceType(parentType) ? parentType.getFields()[name] : undefined;
}

/** The operation's shape (uncached: the operation analyzer caches it). Throws OperationShapeError. */
export function buildOperationShape(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): OperationShape {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) {
    throw operationName
      ? new OperationShapeError(`Unknown operation named "${operationName}".`, 'unknownOperation')
      : new OperationShapeError('The document has several operations: name the one to run in operationName.', 'ambiguousOperation');
  }
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) throw new OperationShapeError(`The schema has no ${operation.operation} type.`, 'noRootType');
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);

  const fields = new Map<FieldNode, FieldNodeInfo>();
  const conditionVariables = new Set<string>();
  const argumentVariables = new Map<FieldNode, string[]>();
  const walkedFragments = new Set<string>();

  const noteConditions = (directives: readonly DirectiveNode[] | undefined) => {
    for (const directive of directives ?? []) {
      if (directive.name.value !== GraphQLSkipDirective.name && directive.name.value !== GraphQLIncludeDirective.name) continue;
      for (const argument of directive.arguments ?? []) if (argument.value.kind === Kind.VARIABLE) conditionVariables.add(argument.value.name.value);
    }
  };

  const walk = (selectionSet: SelectionSetNode, parentType: GraphQLCompositeType): void => {
    for (const selection of selectionSet.selections) {
      noteConditions(selection.directives);
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name === TypeNameMetaFieldDef.name) continue;
        const fieldDef = fieldDefinition(schema, parentType, name);
        // Validation has run, so an unknown field cannot reach this point; skip it rather than guess.
        if (!fieldDef) continue;
        fields.set(selection, { parentType, fieldDef, coordinate: `${parentType.name}.${name}` });
        const used = variablesIn(selection.arguments ?? []);
        if (used.length > 0) argumentVariables.set(selection, used);
        const childType = getNamedType(fieldDef.type);
        if (selection.selectionSet && isCompositeType(childType)) walk(selection.selectionSet, childType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const narrowed = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        if (narrowed && isCompositeType(narrowed)) walk(selection.selectionSet, narrowed);
      } else {
        const name = selection.name.value;
        if (walkedFragments.has(name)) continue;
        walkedFragments.add(name);
        const fragment = fragments.get(name);
        const narrowed = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && narrowed && isCompositeType(narrowed)) walk(fragment.selectionSet, narrowed);
      }
    }
  };
  walk(operation.selectionSet, rootType);
  return { schema, document, operation, rootType, fragments, fields, conditionVariables, argumentVariables };
}

/** Variable names in argument values (graphql's visit() is ~10x slower for these few small nodes). */
function variablesIn(nodes: readonly ArgumentNode[]): string[] {
  const names = new Set<string>();
  const collect = (value: ValueNode): void => {
    if (value.kind === Kind.VARIABLE) names.add(value.name.value);
    else if (value.kind === Kind.LIST) for (const item of value.values) collect(item);
    else if (value.kind === Kind.OBJECT) for (const field of value.fields) collect(field.value);
  };
  for (const node of nodes) collect(node.value);
  return [...names];
}
