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
import { getVariableValues, type DocumentNode, type GraphQLError, type GraphQLSchema } from 'graphql';
import { argumentValues, buildTree, type AnalyzedField, type AnalyzedTree } from './analyzedFieldTree.js';
import type { DemandPolicy } from './demandPolicy.js';
import { buildOperationShape, type OperationShape } from './operationShape.js';

export { OperationTooLargeError, valueAtPath, type AnalyzedField } from './analyzedFieldTree.js';

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

interface ShapeEntry {
  readonly shape: OperationShape;
  /** Variables whose values change the tree. */
  readonly keyVariables: readonly string[];
  readonly trees: Map<string, AnalyzedTree>;
}

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
