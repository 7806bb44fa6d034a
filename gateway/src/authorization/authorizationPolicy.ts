// Reads @authenticated / @requiresScopes from the SUPERGRAPH document. The API schema that
// @apollo/gateway builds drops them, so policy must come from the supergraph itself, and the
// directive names are whatever the supergraph's @link says (resolved in supergraph/linkedFeatures.ts).
import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DocumentNode } from 'graphql';
import { linkedFeatures } from '../supergraph/linkedFeatures.js';

const AUTHENTICATED_SPEC = 'https://specs.apollo.dev/authenticated/';
const REQUIRES_SCOPES_SPEC = 'https://specs.apollo.dev/requiresScopes/';
/** The versions whose semantics this module implements; any other version fails the load (closed). */
const SUPPORTED_VERSION = 'v0.1';

/** What one field or type demands. Several applications combine with AND. */
export interface AccessRequirement {
  authenticated: boolean;
  /** One entry per @requiresScopes application; each is OR over its inner AND-lists. */
  scopeAlternatives: string[][][];
}

export interface AuthorizationPolicy {
  /** Type-level requirements (OBJECT, INTERFACE, SCALAR, ENUM), by type name. */
  types: ReadonlyMap<string, AccessRequirement>;
  /** Field-level requirements, by coordinate `Type.field`. */
  fields: ReadonlyMap<string, AccessRequirement>;
}

export class AuthorizationPolicyError extends Error {
  override name = 'AuthorizationPolicyError';
}

export function readAuthorizationPolicy(supergraph: DocumentNode | string): AuthorizationPolicy {
  const document = typeof supergraph === 'string' ? parse(supergraph) : supergraph;
  const names = policyDirectiveNames(document);
  const types = new Map<string, AccessRequirement>();
  const fields = new Map<string, AccessRequirement>();
  if (!names.authenticated && !names.requiresScopes) return { types, fields };

  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION && definition.kind !== Kind.INTERFACE_TYPE_EXTENSION &&
      definition.kind !== Kind.SCALAR_TYPE_DEFINITION && definition.kind !== Kind.SCALAR_TYPE_EXTENSION &&
      definition.kind !== Kind.ENUM_TYPE_DEFINITION && definition.kind !== Kind.ENUM_TYPE_EXTENSION
    ) continue;
    const typeName = definition.name.value;
    addRequirements(types, typeName, definition.directives ?? [], names);
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION || definition.kind === Kind.OBJECT_TYPE_EXTENSION ||
        definition.kind === Kind.INTERFACE_TYPE_DEFINITION || definition.kind === Kind.INTERFACE_TYPE_EXTENSION) {
      for (const field of definition.fields ?? []) {
        addRequirements(fields, `${typeName}.${field.name.value}`, field.directives ?? [], names);
      }
    }
  }
  return { types, fields };
}

interface PolicyDirectiveNames {
  authenticated?: string;
  requiresScopes?: string;
}

/** The local names of the two directives, through the supergraph's @link applications (supergraph/linkedFeatures.ts). */
export function policyDirectiveNames(document: DocumentNode): PolicyDirectiveNames {
  const names: PolicyDirectiveNames = {};
  for (const link of linkedFeatures(document)) {
    const feature = link.url.startsWith(AUTHENTICATED_SPEC) ? 'authenticated' : link.url.startsWith(REQUIRES_SCOPES_SPEC) ? 'requiresScopes' : undefined;
    if (!feature) continue;
    if (link.version !== SUPPORTED_VERSION) {
      throw new AuthorizationPolicyError(`unsupported ${feature} version ${link.version} (${link.url}); this gateway implements ${SUPPORTED_VERSION}`);
    }
    names[feature] = link.directiveName(feature);
  }
  return names;
}

function addRequirements(target: Map<string, AccessRequirement>, key: string, directives: readonly ConstDirectiveNode[], names: PolicyDirectiveNames): void {
  for (const directive of directives) {
    const name = directive.name.value;
    if (name !== names.authenticated && name !== names.requiresScopes) continue;
    const requirement = target.get(key) ?? { authenticated: false, scopeAlternatives: [] };
    if (name === names.authenticated) requirement.authenticated = true;
    else requirement.scopeAlternatives.push(scopesArgument(directive, key));
    target.set(key, requirement);
  }
}

function scopesArgument(directive: ConstDirectiveNode, where: string): string[][] {
  const value = directive.arguments?.find((a) => a.name.value === 'scopes')?.value;
  const fail = (): never => {
    throw new AuthorizationPolicyError(`${where}: @${directive.name.value}(scopes:) must be a list of lists of strings`);
  };
  // GraphQL input coercion: a single value where a list is expected is a one-element list.
  const asList = (v: ConstValueNode): readonly ConstValueNode[] => (v.kind === Kind.LIST ? v.values : [v]);
  if (!value) return fail();
  return asList(value).map((inner) => asList(inner).map((scope) => (scope.kind === Kind.STRING ? scope.value : fail())));
}

/** readAuthorizationPolicy once per supergraph document (documents are immutable once loaded). */
export function createPolicyReader(): (supergraph: DocumentNode) => AuthorizationPolicy {
  const cache = new WeakMap<DocumentNode, AuthorizationPolicy>();
  return (supergraph) => {
    let policy = cache.get(supergraph);
    if (!policy) {
      policy = readAuthorizationPolicy(supergraph);
      cache.set(supergraph, policy);
    }
    return policy;
  };
}
