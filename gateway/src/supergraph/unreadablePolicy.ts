// Fail closed on policy the gateway cannot read. The policy readers find @authenticated, @requiresScopes
// and @rateLimit through the supergraph's @link (linkedFeatures.ts); a supergraph that applies one of them
// WITHOUT that link (deleted by hand, a different version, a rename that no longer matches, or carried in
// `@join__directive`) would otherwise load with the policy silently off. @policy is refused wherever it is
// applied: this gateway has no way to evaluate named policies, so a field guarded by one must not be served.
// Runs on every load (startup: exit 2; hot reload: the old schema keeps serving).
import { Kind, type DirectiveNode, type DocumentNode } from 'graphql';
import { policyDirectiveNames } from '../authorization/authorizationPolicy.js';
import { rateLimitDirectiveName } from '../rateLimit/supergraphRateLimits.js';
import { linkedFeatures } from './linkedFeatures.js';

export class UnreadablePolicyError extends Error {
  override name = 'UnreadablePolicyError';
}

/** Where a directive is applied, as far as the policy readers care. */
type Place = 'type' | 'field' | 'elsewhere';

/** The link each understood directive needs, for the error message. */
const EXPECTED_LINKS: Record<string, string> = {
  authenticated: '@link(url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY)',
  requiresScopes: '@link(url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY)',
  rateLimit: '@link(url: "…/rateLimit/v1.0", import: ["@rateLimit"])',
};

/** Type kinds whose type-level @authenticated/@requiresScopes the authorization reader applies. */
const AUTHZ_TYPE_KINDS: ReadonlySet<string> = new Set([
  Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION, Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION,
  Kind.SCALAR_TYPE_DEFINITION, Kind.SCALAR_TYPE_EXTENSION, Kind.ENUM_TYPE_DEFINITION, Kind.ENUM_TYPE_EXTENSION,
]);
const FIELD_OWNER_KINDS: ReadonlySet<string> = new Set([
  Kind.OBJECT_TYPE_DEFINITION, Kind.OBJECT_TYPE_EXTENSION, Kind.INTERFACE_TYPE_DEFINITION, Kind.INTERFACE_TYPE_EXTENSION,
]);

interface Application {
  directive: DirectiveNode;
  /** e.g. "User.email", "type User", "User.orders(first:)". */
  where: string;
  place: Place;
}

/** Throws UnreadablePolicyError naming every application the gateway would not enforce. */
export function refuseUnreadablePolicy(document: DocumentNode): void {
  const authz = policyDirectiveNames(document);
  // Local name → the places its reader looks at.
  const understood = new Map<string, ReadonlySet<Place>>();
  if (authz.authenticated) understood.set(authz.authenticated, new Set(['type', 'field']));
  if (authz.requiresScopes) understood.set(authz.requiresScopes, new Set(['type', 'field']));
  const rateLimit = rateLimitDirectiveName(document);
  if (rateLimit) understood.set(rateLimit, new Set(['field']));
  const policyNames = new Set(['policy']);
  for (const link of linkedFeatures(document)) if (link.name === 'policy') policyNames.add(link.directiveName('policy'));
  const joinDirective = linkedFeatures(document).find((link) => link.name === 'join')?.directiveName('directive');
  const policyLike = new Set([...Object.keys(EXPECTED_LINKS), ...policyNames, ...understood.keys()]);

  // Reason → where it applies, so the message names each reason once.
  const problems = new Map<string, string[]>();
  const refuse = (reason: string, where: string) => problems.set(reason, [...(problems.get(reason) ?? []), where]);
  for (const { directive, where, place } of directiveApplications(document)) {
    const name = directive.name.value;
    const allowed = understood.get(name);
    if (allowed) {
      if (!allowed.has(place)) refuse(`@${name} where the gateway does not read it`, where);
    } else if (policyNames.has(name)) {
      refuse(`@${name}, which this gateway does not enforce`, where);
    } else if (Object.hasOwn(EXPECTED_LINKS, name)) {
      refuse(`@${name} without the ${EXPECTED_LINKS[name]} the gateway reads it through`, where);
    } else if (joinDirective !== undefined && name === joinDirective) {
      const carried = stringArgument(directive, 'name');
      if (carried !== undefined && policyLike.has(carried)) refuse(`@${carried} inside @${joinDirective}, which the gateway does not read`, where);
    }
  }
  if (problems.size === 0) return;
  const described = [...problems].map(([reason, wheres]) => {
    const listed = wheres.slice(0, 5).join(', ') + (wheres.length > 5 ? ` and ${wheres.length - 5} more` : '');
    return `${reason} (${listed})`;
  });
  throw new UnreadablePolicyError(`supergraph applies policy this gateway cannot read: ${described.join('; ')}; refusing to load (fail closed)`);
}

function* directiveApplications(document: DocumentNode): Generator<Application> {
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) {
      for (const directive of definition.directives ?? []) yield { directive, where: 'schema', place: 'elsewhere' };
      continue;
    }
    if (!('name' in definition) || !definition.name) continue;
    const typeName = definition.name.value;
    if ('directives' in definition) {
      const place: Place = AUTHZ_TYPE_KINDS.has(definition.kind) ? 'type' : 'elsewhere';
      for (const directive of definition.directives ?? []) yield { directive, where: `type ${typeName}`, place };
    }
    if ('fields' in definition) {
      for (const field of definition.fields ?? []) {
        const coordinate = `${typeName}.${field.name.value}`;
        const place: Place = FIELD_OWNER_KINDS.has(definition.kind) ? 'field' : 'elsewhere';
        for (const directive of field.directives ?? []) yield { directive, where: coordinate, place };
        for (const argument of ('arguments' in field ? field.arguments : undefined) ?? []) {
          for (const directive of argument.directives ?? []) yield { directive, where: `${coordinate}(${argument.name.value}:)`, place: 'elsewhere' };
        }
      }
    }
    if ('values' in definition) {
      for (const value of definition.values ?? []) {
        for (const directive of value.directives ?? []) yield { directive, where: `${typeName}.${value.name.value}`, place: 'elsewhere' };
      }
    }
  }
}

function stringArgument(directive: DirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
