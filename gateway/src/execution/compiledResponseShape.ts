// The last step of a federated request, compiled once per operation: @apollo/gateway's computeResponse
// (dist/resultShaping.js) turns the merged subgraph answers into the client's answer (selection order,
// aliases, fragments on interfaces/unions, @skip/@include, `__typename`, null propagation for non-null
// fields, leaf value checks). Its interpreter walks the federation-internals Operation per request and per
// object: `appliedDirectivesOf` twice per selection (each a filtered array), getters for the field
// definition, type and response name, and a result record per value. On the deep bench query (~87 KB
// answer) that was ~4.5 % of the gateway's busy time plus its garbage (bench/RESULTS.md, "Compiled plan
// execution").
//
// Here the Operation is read once into plain records (response name, type chain, directive conditions,
// child selections) and the per-request walk only reads those. The algorithm, the order of its checks,
// its error messages and its asserts are resultShaping.js's, line for line, so `data` and `errors` are
// byte-identical (test/unit/gateway/execution/differentialExecution.test.ts runs both on the same answers).
// The asserts are written `if (!cond) throw new Error(message)` (what federation-internals' `assert` does)
// rather than `assert(cond, () => message)`: that form allocates a closure per call, per value here.
// Operations selecting `__schema`/`__type` are not compiled (their answer needs graphql-js introspection
// execution): planExecution.ts leaves them to @apollo/gateway.
import {
  ERRORS,
  Variable,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isSubtype,
  isValidLeafValue,
  typenameFieldName,
  type CompositeType,
  type Directive,
  type EnumType,
  type ScalarType,
  type NamedType,
  type Operation,
  type Schema,
  type SelectionSet,
  type Type,
} from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';
import { emptyRecord, INHERITS_NOTHING } from './emptyRecord.js';

/** A value's type, unwrapped once at compile time. */
type TypeShape =
  | { kind: 'nonNull'; type: Type; ofType: TypeShape; ofTypeRef: Type }
  | { kind: 'list'; type: Type; ofType: TypeShape; ofTypeRef: Type }
  | { kind: 'composite'; type: CompositeType }
  | { kind: 'leaf'; type: ScalarType | EnumType };

/** One @skip or @include: a literal or a variable, plus the directive (for the assert's message). */
// `any` parent: the directive sits on a Field or a FragmentElement.
interface IfCondition {
  variable: string | undefined;
  literal: unknown;
  directive: Directive<any, { if: boolean | Variable }>;
  variableRef: Variable | undefined;
}

interface CompiledField {
  kind: 'field';
  responseName: string;
  isTypename: boolean;
  skip: IfCondition | undefined;
  include: IfCondition | undefined;
  type: TypeShape;
  selections: CompiledSelection[] | undefined;
}

interface CompiledFragment {
  kind: 'fragment';
  skip: IfCondition | undefined;
  include: IfCondition | undefined;
  typeCondition: CompositeType | undefined;
  /** typeConditionApplies answers, by `t:<__typename>` or `p:<parent type>` (the schema never changes under a compiled shape). */
  applies: Map<string, boolean>;
  selections: CompiledSelection[];
}

type CompiledSelection = CompiledField | CompiledFragment;

export interface CompiledResponseShape {
  /** computeResponse({ operation, variables, input }) of resultShaping.js, for this operation. */
  shape(input: Record<string, unknown> | null | undefined, variables: Record<string, unknown> | undefined): { data: unknown; errors: GraphQLError[] };
}

/** Why an operation is left to @apollo/gateway's own shaping. */
export class UncompiledOperation extends Error {}

interface Parameters {
  schema: Schema;
  variables: Record<string, unknown>;
  errors: GraphQLError[];
}

const NULL_BUBBLE_UP = 1;
const OK = 0;

const hasOwn = Object.prototype.hasOwnProperty;

export function compileResponseShape(operation: Operation): CompiledResponseShape {
  const schema = operation.schema();
  const rootType = schema.schemaDefinition.rootType(operation.rootKind);
  if (!rootType) throw new Error(`no root type for ${operation.rootKind}`);
  const selections = compileSelectionSet(schema, operation.selectionSet);
  // Only @skip/@include read variables here, so the defaults are merged only when one reads a variable.
  const readsVariables = usesVariables(selections);
  const defaults = readsVariables ? operation.collectDefaultedVariableValues() : undefined;
  return {
    shape(input, variables) {
      if (!input) return { data: input, errors: [] };
      const parameters: Parameters = {
        schema,
        variables: readsVariables ? { __proto__: null, ...defaults, ...variables } : (INHERITS_NOTHING as Record<string, unknown>),
        errors: [],
      };
      const data = emptyRecord();
      const result = applySelections(input, selections, data, parameters, [], rootType);
      return { data: result === NULL_BUBBLE_UP ? null : data, errors: parameters.errors };
    },
  };
}

function compileSelectionSet(schema: Schema, selectionSet: SelectionSet): CompiledSelection[] {
  const compiled: CompiledSelection[] = [];
  for (const selection of selectionSet.selections()) {
    const element = selection.element;
    const skip = ifConditionOf(element.appliedDirectivesOf(schema.skipDirective())[0]);
    const include = ifConditionOf(element.appliedDirectivesOf(schema.includeDirective())[0]);
    if (selection.kind === 'FieldSelection') {
      const field = selection.element;
      if (field.definition.isSchemaIntrospectionField()) throw new UncompiledOperation(`selects ${field.name} (introspection)`);
      const sub = selection.selectionSet;
      compiled.push({
        kind: 'field',
        responseName: field.responseName(),
        isTypename: field.name === typenameFieldName,
        skip,
        include,
        type: shapeOf(field.definition.type!),
        selections: sub ? compileSelectionSet(schema, sub) : undefined,
      });
    } else {
      const fragment = selection.element;
      compiled.push({
        kind: 'fragment',
        skip,
        include,
        typeCondition: fragment.typeCondition,
        applies: new Map(),
        selections: compileSelectionSet(schema, selection.selectionSet),
      });
    }
  }
  return compiled;
}

// `any` parent: a Field or a FragmentElement.
function ifConditionOf(directive: Directive<any, { if: boolean | Variable }> | undefined): IfCondition | undefined {
  if (!directive) return undefined;
  const ifArg = directive.arguments().if;
  return ifArg instanceof Variable
    ? { variable: ifArg.name, literal: undefined, directive, variableRef: ifArg }
    : { variable: undefined, literal: ifArg, directive, variableRef: undefined };
}

function shapeOf(type: Type): TypeShape {
  if (isNonNullType(type)) return { kind: 'nonNull', type, ofType: shapeOf(type.ofType), ofTypeRef: type.ofType };
  if (isListType(type)) return { kind: 'list', type, ofType: shapeOf(type.ofType), ofTypeRef: type.ofType };
  if (isCompositeType(type)) return { kind: 'composite', type };
  return { kind: 'leaf', type: type as ScalarType | EnumType };
}

function usesVariables(selections: CompiledSelection[] | undefined): boolean {
  if (!selections) return false;
  for (const selection of selections) {
    if (selection.skip?.variable !== undefined || selection.include?.variable !== undefined) return true;
    if (usesVariables(selection.selections)) return true;
  }
  return false;
}

// resultShaping.js ifValue(): a variable must hold a boolean (asserted with the same message).
function ifValue(condition: IfCondition, variables: Record<string, unknown>): unknown {
  if (condition.variable === undefined) return condition.literal;
  const value = variables[condition.variable];
  if (!(value !== undefined && typeof value === 'boolean')) throw new Error(`Unexpected value ${value} for variable ${condition.variableRef} of ${condition.directive}`);
  return value;
}

function shouldSkip(selection: CompiledSelection, variables: Record<string, unknown>): boolean {
  return !!((selection.skip && ifValue(selection.skip, variables)) || (selection.include && !ifValue(selection.include, variables)));
}

function typeConditionApplies(schema: Schema, fragment: CompiledFragment, typename: string | undefined, parentType: NamedType): boolean {
  const typeCondition = fragment.typeCondition;
  if (!typeCondition) return true;
  const key = typename ? `t:${typename}` : `p:${parentType.name}`;
  let applies = fragment.applies.get(key);
  if (applies === undefined) {
    if (typename) {
      const type = schema.type(typename);
      // A name the schema lacks comes from a subgraph's answer: answered, never remembered (the map stays
      // bounded by the schema's types however many names a misbehaving subgraph invents).
      if (!type) return false;
      applies = isSubtype(typeCondition, type);
    } else {
      applies = isSubtype(typeCondition, parentType);
    }
    fragment.applies.set(key, applies);
  }
  return applies;
}

function applySelections(
  input: Record<string, unknown>,
  selections: CompiledSelection[],
  output: Record<string, unknown>,
  parameters: Parameters,
  path: (string | number)[],
  parentType: NamedType,
): number {
  for (let i = 0; i < selections.length; i++) {
    const selection = selections[i]!;
    if ((selection.skip !== undefined || selection.include !== undefined) && shouldSkip(selection, parameters.variables)) continue;
    if (selection.kind === 'field') {
      const responseName = selection.responseName;
      const outputValue = output[responseName];
      let inputValue = (hasOwn.call(input, responseName) ? input[responseName] : undefined) ?? null;
      if (selection.isTypename) {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type = inputValue !== null && typeof inputValue === 'string' ? (parameters.schema.type(inputValue) ?? parentType) : parentType;
          if (!isObjectType(type)) return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      path.push(responseName);
      const updated = updateOutputValue(outputValue, selection.type, inputValue, selection.selections, path, parameters, parentType);
      output[responseName] = updated;
      path.pop();
      if (lastInvalid) return NULL_BUBBLE_UP;
    } else {
      const typename = input[typenameFieldName];
      if (!(!typename || typeof typename === 'string')) throw new Error(`Got unexpected value for __typename: ${typename}`);
      if (typeConditionApplies(parameters.schema, selection, typename as string | undefined, parentType)) {
        const result = applySelections(input, selection.selections, output, parameters, path, selection.typeCondition ?? parentType);
        if (result === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
      }
    }
  }
  return OK;
}

// updateOutputValue's `{ updated, isInvalid, hasErrors }` record, kept in two flags instead of one
// allocation per value: each call sets both right before it returns, and every caller reads them right
// after the call (the walk is synchronous).
let lastInvalid = false;
let lastHasErrors = false;

function pathLastElementDescription(path: (string | number)[], currentType: Type, parentType: NamedType): string {
  const element = path[path.length - 1];
  if (element === undefined) throw new Error('Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${parentType}.${element}` : `array element of type ${currentType} at index ${element}`;
}

function settle(value: unknown, invalid: boolean, hasErrors: boolean): unknown {
  lastInvalid = invalid;
  lastHasErrors = hasErrors;
  return value;
}

function updateOutputValue(
  outputValue: unknown,
  shape: TypeShape,
  inputValue: unknown,
  selections: CompiledSelection[] | undefined,
  path: (string | number)[],
  parameters: Parameters,
  parentType: NamedType,
): unknown {
  if (inputValue === undefined) throw new Error('Should not pass undefined for `inputValue` to this method');
  if (outputValue === null || (outputValue !== undefined && !selections)) return settle(outputValue, false, false);
  switch (shape.kind) {
    case 'nonNull': {
      const updated = updateOutputValue(outputValue, shape.ofType, inputValue, selections, path, parameters, parentType);
      if (updated === null) {
        if (!lastHasErrors) {
          parameters.errors.push(
            ERRORS.INVALID_GRAPHQL.err(`Cannot return null for non-nullable ${pathLastElementDescription(path, shape.ofTypeRef, parentType)}.`, { path: Array.from(path) }),
          );
        }
        return settle(updated, true, true);
      }
      return settle(updated, false, false);
    }
    case 'list': {
      if (inputValue === null) return settle(null, false, false);
      if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${inputValue} returned by subgraph for list type ${shape.type}`);
      if (!(outputValue === undefined || Array.isArray(outputValue))) throw new Error(`Invalid non-list value ${outputValue} returned by subgraph for list type ${shape.type}`);
      const length = inputValue.length;
      const existing = outputValue as unknown[] | undefined;
      if (!(existing === undefined || length === existing.length)) throw new Error(`[${inputValue}].length (${length}) !== [${existing}].length (${existing!.length})`);
      let shouldNullify = false;
      let hasErrors = false;
      const updated = new Array<unknown>(length);
      for (let index = 0; index < length; index++) {
        path.push(index);
        updated[index] = updateOutputValue(existing === undefined ? undefined : existing[index], shape.ofType, inputValue[index], selections, path, parameters, parentType);
        path.pop();
        shouldNullify ||= lastInvalid;
        hasErrors ||= lastHasErrors;
      }
      return settle(shouldNullify ? null : updated, false, hasErrors);
    }
    case 'composite': {
      if (inputValue === null) return settle(null, false, false);
      if (!selections) throw new Error(`Invalid empty selection set for composite type ${shape.type}`);
      if (!(typeof inputValue === 'object')) throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${shape.type}`);
      if (!(outputValue === undefined || typeof outputValue === 'object')) throw new Error(`Invalid non-object value ${inputValue} returned by subgraph for composite type ${shape.type}`);
      const input = inputValue as Record<string, unknown>;
      const inputTypename = input[typenameFieldName];
      if (!(inputTypename === undefined || typeof inputTypename === 'string')) throw new Error(`Invalid non-string value ${inputTypename} for __typename at ${path}`);
      let objectType: NamedType = shape.type;
      if (inputTypename) {
        const typenameType = parameters.schema.type(inputTypename);
        if (!typenameType || !isCompositeType(typenameType)) {
          parameters.errors.push(
            ERRORS.INVALID_GRAPHQL.err(`Invalid __typename found for object at ${pathLastElementDescription(path, shape.type, parentType)}.`, { path: Array.from(path) }),
          );
          return settle(null, false, true);
        }
        objectType = typenameType;
      }
      const outputObject = (outputValue === undefined ? emptyRecord() : outputValue) as Record<string, unknown>;
      const result = applySelections(input, selections, outputObject, parameters, path, objectType);
      const hasErrors = result === NULL_BUBBLE_UP;
      return settle(hasErrors ? null : outputObject, false, hasErrors);
    }
    case 'leaf': {
      if (inputValue === null) return settle(null, false, false);
      if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${shape.type} for type ${shape.type}`);
      const isValid = isValidLeafValue(parameters.schema, inputValue, shape.type);
      if (!isValid) {
        parameters.errors.push(
          ERRORS.INVALID_GRAPHQL.err(`Invalid value found for ${pathLastElementDescription(path, shape.type, parentType)}.`, { path: Array.from(path) }),
        );
      }
      return settle(isValid ? inputValue : null, false, !isValid);
    }
  }
}
