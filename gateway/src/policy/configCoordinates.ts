// Fail closed on policy config: every schema coordinate the config names (rate limits, tiers, list
// sizes, weights) must exist in the schema the gateway serves, and so must the arguments and fields
// inside those entries (identityArgs, slicingArguments, sizedFields). A typo would otherwise silently
// leave a field unlimited, share one rate-limit key among every argument value, or size a list by its
// default instead of the client's `first:`. At startup an unknown coordinate stops the gateway; after a
// hot reload that removed one, the new schema serves and the entry is reported (warning + metric),
// since refusing a valid supergraph over a stale config entry would block every other change.
import { getNamedType, isInputObjectType, isInterfaceType, isObjectType, type GraphQLField, type GraphQLSchema } from 'graphql';
import type { DemandControlConfig } from './demandControlConfig.js';
import type { RateLimitConfig } from '../rateLimit/rateLimitConfig.js';

export interface ConfigCoordinate {
  /** The config key, e.g. "rateLimits.fields.Query.users" or "rateLimits.fields.Query.user.identityArgs". */
  readonly key: string;
  /** "Type.field", or "Type" where a type may be named (weights). */
  readonly coordinate: string;
  /** An argument of that field the entry reads, as a dot path into input objects ("id", "page.first"). */
  readonly argument?: string;
  /** A field of that field's (unwrapped) type the entry sizes ("nodes"). */
  readonly childField?: string;
}

/** A config entry the schema cannot satisfy, with the coordinate it names as the schema would spell it. */
export interface UnknownCoordinate {
  readonly key: string;
  /** "Query.users", "Query.user(id:)", "Query.posts(page.first:)", "PostConnection.nodes". */
  readonly coordinate: string;
}

type FieldLimits = Pick<RateLimitConfig, 'fields'>['fields'];

export function policyConfigCoordinates(config: { rateLimits: Pick<RateLimitConfig, 'fields' | 'tiers'>; demandControl: Pick<DemandControlConfig, 'listSizes' | 'weights'> }): ConfigCoordinate[] {
  const limits = (prefix: string, fields: FieldLimits): ConfigCoordinate[] =>
    Object.entries(fields).flatMap(([coordinate, limit]) => [
      { key: `${prefix}.${coordinate}`, coordinate },
      ...(limit.identityArgs ?? []).map((argument) => ({ key: `${prefix}.${coordinate}.identityArgs`, coordinate, argument })),
    ]);
  return [
    ...limits('rateLimits.fields', config.rateLimits.fields),
    ...Object.entries(config.rateLimits.tiers).flatMap(([tier, { fields }]) => limits(`rateLimits.tiers.${tier}.fields`, fields)),
    ...Object.entries(config.demandControl.listSizes).flatMap(([coordinate, listSize]) => {
      const key = `demandControl.listSizes.${coordinate}`;
      return [
        { key, coordinate },
        ...(listSize.slicingArguments ?? []).map((argument) => ({ key: `${key}.slicingArguments`, coordinate, argument })),
        ...(listSize.sizedFields ?? []).map((childField) => ({ key: `${key}.sizedFields`, coordinate, childField })),
      ];
    }),
    ...Object.keys(config.demandControl.weights).map((coordinate) => ({ key: `demandControl.weights.${coordinate}`, coordinate })),
  ];
}

/**
 * The entries whose coordinate the schema does not have. An argument or child field is checked only
 * when its field exists (a missing field is reported once, under its own key).
 */
export function unknownCoordinates(schema: GraphQLSchema, coordinates: readonly ConfigCoordinate[]): UnknownCoordinate[] {
  const unknown: UnknownCoordinate[] = [];
  for (const entry of coordinates) {
    const { key, coordinate, argument, childField } = entry;
    const [typeName, fieldName] = coordinate.split('.');
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    const inEntry = argument !== undefined || childField !== undefined;
    if (!type) {
      if (!inEntry) unknown.push({ key, coordinate });
      continue;
    }
    if (fieldName === undefined) continue;
    const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[fieldName] : undefined;
    if (!field) {
      if (!inEntry) unknown.push({ key, coordinate });
      continue;
    }
    if (argument !== undefined && !hasArgumentPath(field, argument)) unknown.push({ key, coordinate: `${coordinate}(${argument}:)` });
    if (childField !== undefined) {
      const returned = getNamedType(field.type);
      const found = (isObjectType(returned) || isInterfaceType(returned)) && returned.getFields()[childField] !== undefined;
      if (!found) unknown.push({ key, coordinate: `${returned.name}.${childField}` });
    }
  }
  return unknown;
}

/** "page.first": the argument `page`, then the field `first` of its input object type. */
function hasArgumentPath(field: GraphQLField<unknown, unknown>, path: string): boolean {
  const [root, ...rest] = path.split('.');
  let type = field.args.find((a) => a.name === root)?.type;
  for (const name of rest) {
    if (!type) return false;
    const named = getNamedType(type);
    type = isInputObjectType(named) ? named.getFields()[name]?.type : undefined;
  }
  return type !== undefined;
}
