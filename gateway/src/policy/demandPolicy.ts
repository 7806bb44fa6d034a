// The list sizes and weights of one supergraph: `@listSize` and `@cost` as composition carries them
// (https://specs.apollo.dev/cost/v0.1, linked and named through @link), then the `demandControl`
// config on top. Read from the supergraph document, not the API schema: @apollo/gateway's API schema
// drops both directives. Built once per supergraph (load and hot reload), so a request does map lookups.
import {
  Kind,
  isAbstractType,
  isTypeDefinitionNode,
  isTypeExtensionNode,
  valueFromASTUntyped,
  type ConstDirectiveNode,
  type DefinitionNode,
  type TypeDefinitionNode,
  type TypeExtensionNode,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
} from 'graphql';
import type { DemandControlConfig } from './demandControlConfig.js';
import { linkedFeatures } from '../supergraph/linkedFeatures.js';

const COST_SPEC = 'https://specs.apollo.dev/cost/';

/** `@listSize` of one field, merged with config. */
export interface ListSizeRule {
  readonly assumedSize: number | undefined;
  readonly slicingArguments: readonly string[];
  readonly sizedFields: readonly string[];
}

export interface DemandPolicy {
  /** Items assumed for a list nothing else sizes. */
  readonly defaultListSize: number;
  /**
   * The list-size rule of `parentType.fieldName`; on an abstract parent, every possible type's rule
   * merged (the largest assumed size, every slicing argument and sized field), since the runtime type
   * is unknown before execution.
   */
  listSizeRule(schema: GraphQLSchema, parentType: GraphQLCompositeType, fieldName: string): ListSizeRule | undefined;
  /** `@cost(weight:)` of a field coordinate or a type name, if declared or configured. */
  weight(coordinate: string): number | undefined;
  /** Weighted arguments of a field coordinate (`@cost` on ARGUMENT_DEFINITION), by argument name. */
  argumentWeights(coordinate: string): ReadonlyMap<string, number> | undefined;
}

export class DemandPolicyError extends Error {
  override name = 'DemandPolicyError';
}

export function buildDemandPolicy(supergraph: DocumentNode, config: Pick<DemandControlConfig, 'defaultListSize' | 'listSizes' | 'weights'>): DemandPolicy {
  const listSizes = new Map<string, ListSizeRule>();
  const weights = new Map<string, number>();
  const argumentWeights = new Map<string, Map<string, number>>();

  const feature = linkedFeatures(supergraph).find((linked) => linked.url.startsWith(COST_SPEC));
  if (feature) {
    if (feature.version !== 'v0.1') throw new DemandPolicyError(`unsupported cost spec version ${feature.version} (${feature.url}); this gateway implements v0.1`);
    const costName = feature.directiveName('cost');
    const listSizeName = feature.directiveName('listSize');
    for (const definition of supergraph.definitions) {
      if (!isTypeDefinitionOrExtension(definition)) continue;
      const typeName = definition.name.value;
      const typeCost = findDirective(definition.directives, costName);
      if (typeCost) weights.set(typeName, weightOf(typeCost, typeName));
      if (!('fields' in definition) || !definition.fields) continue;
      for (const field of definition.fields) {
        const coordinate = `${typeName}.${field.name.value}`;
        const cost = findDirective(field.directives, costName);
        if (cost) weights.set(coordinate, weightOf(cost, coordinate));
        const listSize = findDirective(field.directives, listSizeName);
        if (listSize) listSizes.set(coordinate, listSizeOf(listSize, coordinate));
        if (field.kind !== Kind.FIELD_DEFINITION) continue;
        for (const argument of field.arguments ?? []) {
          const argumentCost = findDirective(argument.directives, costName);
          if (!argumentCost) continue;
          let byName = argumentWeights.get(coordinate);
          if (!byName) argumentWeights.set(coordinate, (byName = new Map()));
          byName.set(argument.name.value, weightOf(argumentCost, `${coordinate}(${argument.name.value}:)`));
        }
      }
    }
  }

  for (const [coordinate, override] of Object.entries(config.listSizes)) {
    const declared = listSizes.get(coordinate);
    listSizes.set(coordinate, {
      assumedSize: override.assumedSize ?? declared?.assumedSize,
      slicingArguments: override.slicingArguments ?? declared?.slicingArguments ?? [],
      sizedFields: override.sizedFields ?? declared?.sizedFields ?? [],
    });
  }
  for (const [coordinate, weight] of Object.entries(config.weights)) weights.set(coordinate, weight);

  const ruleOf = (typeName: string, fieldName: string) => listSizes.get(`${typeName}.${fieldName}`);
  return {
    defaultListSize: config.defaultListSize,
    listSizeRule(schema, parentType, fieldName) {
      const own = ruleOf(parentType.name, fieldName);
      if (!isAbstractType(parentType)) return own;
      const rules = [own, ...schema.getPossibleTypes(parentType).map((type) => ruleOf(type.name, fieldName))].filter((r): r is ListSizeRule => r !== undefined);
      if (rules.length <= 1) return rules[0];
      const sizes = rules.map((r) => r.assumedSize).filter((s): s is number => s !== undefined);
      return {
        assumedSize: sizes.length > 0 ? Math.max(...sizes) : undefined,
        slicingArguments: [...new Set(rules.flatMap((r) => r.slicingArguments))],
        sizedFields: [...new Set(rules.flatMap((r) => r.sizedFields))],
      };
    },
    weight: (coordinate) => weights.get(coordinate),
    argumentWeights: (coordinate) => argumentWeights.get(coordinate),
  };
}

function isTypeDefinitionOrExtension(definition: DefinitionNode): definition is TypeDefinitionNode | TypeExtensionNode {
  return isTypeDefinitionNode(definition) || isTypeExtensionNode(definition);
}

function findDirective(directives: readonly ConstDirectiveNode[] | undefined, name: string): ConstDirectiveNode | undefined {
  return directives?.find((d) => d.name.value === name);
}

function argumentsOf(directive: ConstDirectiveNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argument of directive.arguments ?? []) values[argument.name.value] = valueFromASTUntyped(argument.value);
  return values;
}

function weightOf(directive: ConstDirectiveNode, where: string): number {
  const { weight } = argumentsOf(directive);
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0) throw new DemandPolicyError(`@${directive.name.value} on ${where}: weight must be a non-negative Int`);
  return weight;
}

function listSizeOf(directive: ConstDirectiveNode, where: string): ListSizeRule {
  const args = argumentsOf(directive);
  const fail = (why: string) => new DemandPolicyError(`@${directive.name.value} on ${where}: ${why}`);
  const strings = (value: unknown, name: string): string[] => {
    if (value === undefined || value === null) return [];
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v): v is string => typeof v === 'string')) throw fail(`${name} must be a list of strings`);
    return list;
  };
  const assumedSize = args.assumedSize;
  if (assumedSize !== undefined && assumedSize !== null && (typeof assumedSize !== 'number' || !Number.isInteger(assumedSize) || assumedSize < 0)) {
    throw fail('assumedSize must be a non-negative Int');
  }
  return {
    assumedSize: typeof assumedSize === 'number' ? assumedSize : undefined,
    slicingArguments: strings(args.slicingArguments, 'slicingArguments'),
    sizedFields: strings(args.sizedFields, 'sizedFields'),
  };
}
