// What a field of the API schema requires, and whether a caller meets it.
import { getNamedType, isAbstractType, isInterfaceType, isObjectType, type GraphQLCompositeType, type GraphQLSchema } from 'graphql';
import type { AuthIdentity } from '../auth/authIdentity.js';
import type { AccessRequirement, AuthorizationPolicy } from './authorizationPolicy.js';

/**
 * Everything that applies to selecting `parentType.fieldName`: the field's own directives, its
 * parent type's, its return type's, and, when the parent or return type is abstract, those of every
 * possible concrete type too (we cannot know statically which one the subgraph returns: fail closed).
 */
export function requirementsOfField(policy: AuthorizationPolicy, schema: GraphQLSchema, parentType: GraphQLCompositeType, fieldName: string): AccessRequirement[] {
  const found: AccessRequirement[] = [];
  const add = (requirement: AccessRequirement | undefined) => {
    if (requirement) found.push(requirement);
  };
  const addType = (typeName: string) => {
    add(policy.types.get(typeName));
    const type = schema.getType(typeName);
    if (type && isAbstractType(type)) for (const possible of schema.getPossibleTypes(type)) add(policy.types.get(possible.name));
  };
  const ownersOfField = isAbstractType(parentType) ? [parentType, ...schema.getPossibleTypes(parentType)] : [parentType];
  for (const owner of ownersOfField) {
    add(policy.types.get(owner.name));
    add(policy.fields.get(`${owner.name}.${fieldName}`));
    const field = isObjectType(owner) || isInterfaceType(owner) ? owner.getFields()[fieldName] : undefined;
    if (field) addType(getNamedType(field.type).name);
  }
  return found;
}

/** Inner lists AND, outer list OR; several requirements AND. Any requirement needs a caller. */
export function isSatisfied(requirements: readonly AccessRequirement[], auth: AuthIdentity | null): boolean {
  if (requirements.length === 0) return true;
  if (!auth) return false;
  const held = new Set(auth.scopes);
  return requirements.every((requirement) =>
    requirement.scopeAlternatives.every((alternatives) => alternatives.some((allOf) => allOf.every((scope) => held.has(scope)))),
  );
}
