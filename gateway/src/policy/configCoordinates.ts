// Fail closed on policy config: every schema coordinate the config names (rate limits, tiers, list
// sizes, weights) must exist in the schema the gateway serves. A typo would otherwise silently leave a
// field unlimited. At startup an unknown coordinate stops the gateway; after a hot reload that removed
// one, the new schema serves and the entry is reported (warning + metric), since refusing a valid
// supergraph over a stale config entry would block every other change.
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';
import type { DemandControlConfig } from './demandControlConfig.js';
import { demandControlConfigCoordinates } from './demandPolicy.js';
import type { RateLimitConfig } from '../rateLimit/rateLimitConfig.js';

export interface ConfigCoordinate {
  /** The config key, e.g. "rateLimits.fields.Query.users". */
  readonly key: string;
  /** "Type.field", or "Type" where a type may be named (weights). */
  readonly coordinate: string;
}

export function policyConfigCoordinates(config: { rateLimits: Pick<RateLimitConfig, 'fields' | 'tiers'>; demandControl: Pick<DemandControlConfig, 'listSizes' | 'weights'> }): ConfigCoordinate[] {
  return [
    ...Object.keys(config.rateLimits.fields).map((coordinate) => ({ key: `rateLimits.fields.${coordinate}`, coordinate })),
    ...Object.entries(config.rateLimits.tiers).flatMap(([tier, { fields }]) =>
      Object.keys(fields).map((coordinate) => ({ key: `rateLimits.tiers.${tier}.fields.${coordinate}`, coordinate })),
    ),
    ...demandControlConfigCoordinates(config.demandControl),
  ];
}

/** The entries whose coordinate the schema does not have. */
export function unknownCoordinates(schema: GraphQLSchema, coordinates: readonly ConfigCoordinate[]): ConfigCoordinate[] {
  return coordinates.filter(({ coordinate }) => {
    const [typeName, fieldName] = coordinate.split('.');
    const type = typeName === undefined ? undefined : schema.getType(typeName);
    if (!type) return true;
    if (fieldName === undefined) return false;
    return !(isObjectType(type) || isInterfaceType(type)) || type.getFields()[fieldName] === undefined;
  });
}
