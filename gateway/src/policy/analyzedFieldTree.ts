// The analyzed-field tree of one operation for one set of variable values: fields merged as
// execution merges them (CollectFields), @skip/@include applied, and per field the estimated resolver
// calls from the list sizes along its path. Built by the operation analyzer (operationAnalysis.ts),
// which caches it.
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getArgumentValues,
  getDirectiveValues,
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isListType,
  type DirectiveNode,
  type FieldNode,
  type GraphQLField,
  type GraphQLOutputType,
  type SelectionSetNode,
} from 'graphql';
import type { DemandPolicy, ListSizeRule } from './demandPolicy.js';
import type { FieldNodeInfo, OperationShape } from './operationShape.js';

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

export interface AnalyzedTree {
  readonly rootFields: readonly AnalyzedField[];
  readonly fields: readonly AnalyzedField[];
  readonly introspectionDepth: number;
}

/** Fragments expanded, the operation selects more fields than the analysis is allowed to walk. */
export class OperationTooLargeError extends Error {
  override name = 'OperationTooLargeError';
  constructor(readonly maxFields: number) {
    super(`The operation selects more than ${maxFields} fields once fragments are expanded.`);
  }
}

/** Values above this are as good as infinite for every policy, and stay exact integers. */
const MAX_ESTIMATE = Number.MAX_SAFE_INTEGER;

interface FieldGroup {
  responseKey: string;
  fieldName: string;
  nodes: FieldNode[];
  infos: FieldNodeInfo[];
}

/** The tree for these (coerced) variable values; throws OperationTooLargeError past `maxFields`. */
export function buildTree(shape: OperationShape, variables: Record<string, unknown>, policy: DemandPolicy, maxFields: number): AnalyzedTree {
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

export function argumentValues(fieldDef: GraphQLField<unknown, unknown>, node: FieldNode, variables: Record<string, unknown>): Record<string, unknown> {
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
