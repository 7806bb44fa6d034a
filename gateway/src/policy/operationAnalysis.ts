// The one analysis of an operation that every policy reads (authorization, demand control, rate
// limits), GraphQL-exact where GraphQL is exact and an upper bound where only execution can know:
//   - variables coerced as execution coerces them (graphql-js getVariableValues: defaults applied);
//   - @skip/@include evaluated with those values;
//   - fields merged as execution merges them (CollectFields: the same response key from the selection,
//     inline fragments and named fragments is ONE resolver call per parent object, its sub-selections
//     merged);
//   - abstract types: a field selected in `... on A` runs on the objects that turn out to be A; before
//     execution that is unknown, so it is counted for every parent object (upper bound), under the
//     coordinate it is selected on and under every possible type's coordinate;
//   - per field, the estimated number of resolver calls: the product of the list sizes along its path,
//     a list's size read from its slicing argument (literal or variable, default values included),
//     else `@listSize(assumedSize:)`, else the configured default.
// Results are cached per schema + document + operation + the values of the few variables that change
// them (those in @skip/@include and in the arguments of fields sized by a slicing argument); the
// arguments a policy reads per field (identityArgs) are computed per request.
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isListType,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type GraphQLField,
  type GraphQLOutputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import type { DemandPolicy, ListSizeRule } from './demandPolicy.js';
import { buildOperationShape, type FieldNodeInfo, type OperationShape } from './operationShape.js';

/** One merged field of the operation: one resolver call per parent object. */
export interface AnalyzedField {
  readonly responseKey: string;
  readonly fieldName: string;
  /** The document's field nodes merged here (several when selected more than once). */
  readonly nodes: readonly FieldNode[];
  /** What each node selects (same order as `nodes`). */
  readonly infos: readonly FieldNodeInfo[];
  readonly fieldDef: GraphQLField<unknown, unknown>;
  /** Every `Type.field` this field may run as: where it is selected, and each possible type of an abstract parent. */
  readonly coordinates: readonly string[];
  /** Response path: response keys, and "@" for each list level of the fields above. */
  readonly path: readonly string[];
  readonly parent: AnalyzedField | undefined;
  /** Estimated resolver calls: the number of parent objects. */
  readonly calls: number;
  /** Estimated items per call when the field returns a list (all list levels multiplied); 1 otherwise. */
  readonly itemsPerCall: number;
  /** List levels of the field's type ([[T]] = 2). */
  readonly listDepth: number;
  /** The field returns objects (object, interface or union type). */
  readonly composite: boolean;
  /** Under __schema / __type: schema metadata, which no subgraph serves. */
  readonly introspection: boolean;
  readonly children: readonly AnalyzedField[];
}

export interface OperationAnalysis {
  readonly shape: OperationShape;
  readonly operationType: 'query' | 'mutation' | 'subscription';
  /** Variable values as execution will see them (coerced, defaults applied). */
  readonly variables: Readonly<Record<string, unknown>>;
  /** The fields that will execute, root level. */
  readonly rootFields: readonly AnalyzedField[];
  /** Every field that will execute, parents before children. */
  readonly fields: readonly AnalyzedField[];
  /** Deepest nesting below __schema / __type (0 without introspection); the place for an introspection depth limit. */
  readonly introspectionDepth: number;
  /** The field's arguments for this request, coerced (defaults applied, variables resolved). */
  argumentsOf(field: AnalyzedField): Readonly<Record<string, unknown>>;
}

export type AnalysisResult =
  | { readonly kind: 'analyzed'; readonly analysis: OperationAnalysis }
  /** The variables do not fit their declared types: nothing can execute. */
  | { readonly kind: 'invalidVariables'; readonly errors: readonly GraphQLError[] };

/** Fragments expanded, the operation selects more fields than the analysis is allowed to walk. */
export class OperationTooLargeError extends Error {
  override name = 'OperationTooLargeError';
  constructor(readonly maxFields: number) {
    super(`The operation selects more than ${maxFields} fields once fragments are expanded.`);
  }
}

export interface OperationAnalyzerOptions {
  /** List sizes of the supergraph behind `schema` (built once per supergraph). */
  demandPolicyFor(schema: GraphQLSchema): DemandPolicy;
  /**
   * Most merged fields one operation may expand to. Fragments spread inside fragments multiply: a
   * 5 KB document can expand to millions of fields, so the walk stops here instead of running on.
   */
  maxFields: number;
  /** Analyses kept per operation, by the values of the variables that change them. @default 32 */
  variantsPerOperation?: number;
}

export interface AnalyzeInput {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null | undefined;
  /** The request's raw variables. */
  variables?: Readonly<Record<string, unknown>> | null | undefined;
}

export type OperationAnalyzer = (input: AnalyzeInput) => AnalysisResult;

interface AnalyzedTree {
  readonly rootFields: readonly AnalyzedField[];
  readonly fields: readonly AnalyzedField[];
  readonly introspectionDepth: number;
}

interface ShapeEntry {
  readonly shape: OperationShape;
  /** Variables whose values change the tree. */
  readonly keyVariables: readonly string[];
  readonly trees: Map<string, AnalyzedTree>;
}

/** Values above this are as good as infinite for every policy, and stay exact integers. */
const MAX_ESTIMATE = Number.MAX_SAFE_INTEGER;

export function createOperationAnalyzer(options: OperationAnalyzerOptions): OperationAnalyzer {
  const variantsPerOperation = options.variantsPerOperation ?? 32;
  // Keyed by schema then document: both objects are dropped by Apollo Server on schema change or
  // document-store eviction, and these entries go with them.
  const entries = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, ShapeEntry>>>();

  const entryFor = (schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined): ShapeEntry => {
    let byDocument = entries.get(schema);
    if (!byDocument) entries.set(schema, (byDocument = new WeakMap()));
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    const name = operationName ?? '';
    let entry = byName.get(name);
    if (!entry) {
      const shape = buildOperationShape(schema, document, operationName);
      entry = { shape, keyVariables: keyVariablesOf(shape, options.demandPolicyFor(schema)), trees: new Map() };
      byName.set(name, entry);
    }
    return entry;
  };

  return (input) => {
    const entry = entryFor(input.schema, input.document, input.operationName);
    const { shape } = entry;
    const coerced = getVariableValues(input.schema, shape.operation.variableDefinitions ?? [], input.variables ?? {});
    if (coerced.errors) return { kind: 'invalidVariables', errors: coerced.errors };
    const variables = coerced.coerced;
    const key = entry.keyVariables.length === 0 ? '' : JSON.stringify(entry.keyVariables.map((name) => variables[name] ?? null));
    let tree = entry.trees.get(key);
    if (!tree) {
      tree = buildTree(shape, variables, options.demandPolicyFor(input.schema), options.maxFields);
      // Oldest first out: a client looping over `first: $n` values must not grow this without bound.
      if (entry.trees.size >= variantsPerOperation) entry.trees.delete(entry.trees.keys().next().value as string);
      entry.trees.set(key, tree);
    }
    const argumentCache = new Map<AnalyzedField, Readonly<Record<string, unknown>>>();
    const analysis: OperationAnalysis = {
      shape,
      operationType: shape.operation.operation,
      variables,
      rootFields: tree.rootFields,
      fields: tree.fields,
      introspectionDepth: tree.introspectionDepth,
      argumentsOf(field) {
        let args = argumentCache.get(field);
        if (!args) argumentCache.set(field, (args = argumentValues(field.fieldDef, field.nodes[0]!, variables)));
        return args;
      },
    };
    return { kind: 'analyzed', analysis };
  };
}

/** Variables in @skip/@include, and in the arguments of fields a slicing argument sizes. */
function keyVariablesOf(shape: OperationShape, policy: DemandPolicy): string[] {
  const names = new Set(shape.conditionVariables);
  for (const [node, used] of shape.argumentVariables) {
    const info = shape.fields.get(node);
    const rule = info && policy.listSizeRule(shape.schema, info.parentType, info.fieldDef.name);
    if (rule && rule.slicingArguments.length > 0) for (const name of used) names.add(name);
  }
  return [...names].sort();
}

interface FieldGroup {
  responseKey: string;
  fieldName: string;
  nodes: FieldNode[];
  infos: FieldNodeInfo[];
}

function buildTree(shape: OperationShape, variables: Record<string, unknown>, policy: DemandPolicy, maxFields: number): AnalyzedTree {
  const { schema } = shape;
  const all: AnalyzedField[] = [];
  let introspectionDepth = 0;

  const included = (node: { readonly directives?: readonly DirectiveNode[] | undefined }): boolean => {
    if (!node.directives || node.directives.length === 0) return true;
    if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
    return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
  };

  // CollectFields: fields by response key (and field name: the same key may name different fields on
  // different object types of an abstract parent; each is its own call there).
  const collect = (selectionSet: SelectionSetNode, groups: Map<string, FieldGroup>, visitedFragments: Set<string>): void => {
    for (const selection of selectionSet.selections) {
      if (!included(selection)) continue;
      if (selection.kind === Kind.FIELD) {
        const info = shape.fields.get(selection);
        if (!info) continue; // __typename
        const responseKey = selection.alias?.value ?? selection.name.value;
        const key = `${responseKey}\u0000${selection.name.value}`;
        const group = groups.get(key);
        if (group) {
          group.nodes.push(selection);
          group.infos.push(info);
        } else {
          groups.set(key, { responseKey, fieldName: selection.name.value, nodes: [selection], infos: [info] });
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet, groups, visitedFragments);
      } else {
        const name = selection.name.value;
        if (visitedFragments.has(name)) continue;
        visitedFragments.add(name);
        const fragment = shape.fragments.get(name);
        if (fragment) collect(fragment.selectionSet, groups, visitedFragments);
      }
    }
  };

  const build = (
    selectionSets: readonly SelectionSetNode[],
    parent: AnalyzedField | undefined,
    parentObjects: number,
    parentPath: readonly string[],
    sizedByParent: ReadonlyMap<string, number> | undefined,
    introspectionLevel: number,
  ): AnalyzedField[] => {
    const groups = new Map<string, FieldGroup>();
    const visitedFragments = new Set<string>();
    for (const selectionSet of selectionSets) collect(selectionSet, groups, visitedFragments);
    const built: AnalyzedField[] = [];
    for (const group of groups.values()) {
      if (all.length >= maxFields) throw new OperationTooLargeError(maxFields);
      const first = group.infos[0]!;
      const fieldDef = first.fieldDef;
      const introspection = introspectionLevel > 0 || group.fieldName.startsWith('__');
      const level = introspection ? introspectionLevel + 1 : 0;
      if (level > introspectionDepth) introspectionDepth = level;
      const listDepth = listDepthOf(fieldDef.type);
      const rules = group.infos.map((info) => policy.listSizeRule(schema, info.parentType, group.fieldName));
      const rule = rules.find((r) => r !== undefined);
      // The size a slicing argument gives (largest given, over the merged nodes), else assumedSize.
      const sliced = rule ? slicedSize(rules, group, fieldDef, variables) : undefined;
      const ownSize = rule && rule.sizedFields.length > 0 ? rule.assumedSize : (sliced ?? rule?.assumedSize);
      let itemsPerCall = 1;
      if (listDepth > 0) {
        itemsPerCall = sizedByParent?.get(group.fieldName) ?? ownSize ?? policy.defaultListSize;
        // Inner list levels ([[T]]) have no argument of their own.
        for (let depth = 1; depth < listDepth; depth++) itemsPerCall = capped(itemsPerCall * (rule?.assumedSize ?? policy.defaultListSize));
      }
      const calls = parentObjects;
      const coordinates = new Set<string>();
      for (const info of group.infos) {
        coordinates.add(info.coordinate);
        if (isAbstractType(info.parentType)) for (const type of schema.getPossibleTypes(info.parentType)) coordinates.add(`${type.name}.${group.fieldName}`);
      }
      const path = [...parentPath, group.responseKey];
      const field: AnalyzedField & { children: AnalyzedField[] } = {
        responseKey: group.responseKey,
        fieldName: group.fieldName,
        nodes: group.nodes,
        infos: group.infos,
        fieldDef,
        coordinates: [...coordinates],
        path,
        parent,
        calls,
        itemsPerCall,
        listDepth,
        composite: isCompositeType(getNamedType(fieldDef.type)),
        introspection,
        children: [],
      };
      all.push(field);
      built.push(field);
      const childSelections = group.nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      if (field.composite && childSelections.length > 0) {
        const childSizes = rule && rule.sizedFields.length > 0 ? new Map(rule.sizedFields.map((name) => [name, sliced ?? rule.assumedSize ?? policy.defaultListSize])) : undefined;
        const childPath = listDepth > 0 ? [...path, ...Array.from({ length: listDepth }, () => '@')] : path;
        field.children = build(childSelections, field, capped(calls * itemsPerCall), childPath, childSizes, level);
      }
    }
    return built;
  };

  const rootFields = build([shape.operation.selectionSet], undefined, 1, [], undefined, 0);
  return { rootFields, fields: all, introspectionDepth };
}

/** The largest non-negative integer among the slicing arguments given, over every merged node. */
function slicedSize(rules: readonly (ListSizeRule | undefined)[], group: FieldGroup, fieldDef: GraphQLField<unknown, unknown>, variables: Record<string, unknown>): number | undefined {
  let size: number | undefined;
  group.nodes.forEach((node, i) => {
    const rule = rules[i];
    if (!rule || rule.slicingArguments.length === 0) return;
    const args = argumentValues(fieldDef, node, variables);
    for (const path of rule.slicingArguments) {
      const value = valueAtPath(args, path);
      if (typeof value === 'number' && Number.isFinite(value)) size = Math.max(size ?? 0, Math.max(0, Math.floor(value)));
    }
  });
  return size;
}

function argumentValues(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
  try {
    return getArgumentValues(fieldDef, node, variables);
  } catch {
    // Invalid arguments fail at execution; the estimate falls back to assumed sizes.
    return {};
  }
}

/** Dot paths into input objects ("input.first"), as the cost spec and identityArgs allow. */
export function valueAtPath(args: Readonly<Record<string, unknown>>, path: string): unknown {
  let value: unknown = args;
  for (const segment of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

function listDepthOf(type: GraphQLOutputType): number {
  let depth = 0;
  let current: GraphQLOutputType = getNullableType(type);
  while (isListType(current)) {
    depth++;
    current = getNullableType(current.ofType);
  }
  return depth;
}

function capped(value: number): number {
  return value > MAX_ESTIMATE ? MAX_ESTIMATE : value;
}
