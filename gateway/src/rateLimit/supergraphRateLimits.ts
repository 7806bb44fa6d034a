// Reads @rateLimit from the supergraph document (not from the API schema: @apollo/gateway drops custom
// directives from the schema it serves). The directive's name in the supergraph is whatever the
// `@link(url: ".../rateLimit/v1.x", import: [...])` made it, so a subgraph team may rename it on import.
import { Kind, valueFromASTUntyped, type ConstDirectiveNode, type DirectiveNode, type DocumentNode, type FieldDefinitionNode } from 'graphql';
import { parseRateLimitWindow } from './rateLimitWindow.js';
import { linkedFeatures } from '../supergraph/linkedFeatures.js';

/** One field's limit, as declared (or as configured, once merged). */
export interface FieldRateLimit {
  /** Hits allowed per window. */
  readonly max: number;
  /** Sliding window, ms. */
  readonly windowMs: number;
  /** Argument names (dot paths allowed) whose values become part of the key. */
  readonly identityArgs: readonly string[];
  /** Custom RATE_LIMITED message, if any. */
  readonly message: string | undefined;
}

export class RateLimitPolicyError extends Error {
  override name = 'RateLimitPolicyError';
}

/** Feature name in the link URL: ".../rateLimit/v1.0" (any host). Only major version 1 is understood. */
const RATE_LIMIT_FEATURE = /\/rateLimit\/v1\.\d+$/;

/**
 * The directive name the supergraph uses for @rateLimit: the imported name (or its `as` rename); when the
 * link does not import it, the link spec's default for a directive named like its feature: `@<as ?? "rateLimit">`.
 * Undefined when the supergraph links no rateLimit v1 feature (then it declares no limits, and any
 * `@rateLimit` it applies makes the load fail: supergraph/unreadablePolicy.ts).
 */
export function rateLimitDirectiveName(document: DocumentNode): string | undefined {
  return linkedFeatures(document).find((link) => RATE_LIMIT_FEATURE.test(link.url))?.directiveName('rateLimit');
}

/** Every declared limit by "Type.field" (object and interface fields, definitions and extensions). */
export function readSupergraphRateLimits(document: DocumentNode): Map<string, FieldRateLimit> {
  const limits = new Map<string, FieldRateLimit>();
  const directiveName = rateLimitDirectiveName(document);
  if (directiveName === undefined) return limits;
  for (const definition of document.definitions) {
    if (
      definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
      definition.kind !== Kind.OBJECT_TYPE_EXTENSION &&
      definition.kind !== Kind.INTERFACE_TYPE_DEFINITION &&
      definition.kind !== Kind.INTERFACE_TYPE_EXTENSION
    ) {
      continue;
    }
    for (const field of definition.fields ?? []) {
      const directive = field.directives?.find((d) => d.name.value === directiveName);
      if (!directive) continue;
      const coordinate = `${definition.name.value}.${field.name.value}`;
      limits.set(coordinate, limitFromDirective(coordinate, field, directive));
    }
  }
  return limits;
}

function limitFromDirective(coordinate: string, field: FieldDefinitionNode, directive: ConstDirectiveNode): FieldRateLimit {
  const args = directiveArguments(directive);
  const fail = (why: string) => new RateLimitPolicyError(`@${directive.name.value} on ${coordinate}: ${why}`);
  if (typeof args.max !== 'number' || !Number.isInteger(args.max) || args.max < 1) throw fail('max must be a positive Int');
  if (typeof args.window !== 'string') throw fail('window must be a String like "1m"');
  let windowMs: number;
  try {
    windowMs = parseRateLimitWindow(args.window);
  } catch (error) {
    throw fail((error as Error).message);
  }
  const identityArgs = args.identityArgs === undefined || args.identityArgs === null ? [] : args.identityArgs;
  if (!Array.isArray(identityArgs) || !identityArgs.every((a): a is string => typeof a === 'string')) {
    throw fail('identityArgs must be a list of argument names');
  }
  const declared = new Set((field.arguments ?? []).map((a) => a.name.value));
  for (const path of identityArgs) {
    const root = path.split('.')[0] ?? '';
    if (!declared.has(root)) throw fail(`identityArgs names "${path}", but the field has no argument "${root}"`);
  }
  const message = typeof args.message === 'string' ? args.message : undefined;
  return { max: args.max, windowMs, identityArgs, message };
}

function directiveArguments(directive: DirectiveNode): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const argument of directive.arguments ?? []) args[argument.name.value] = valueFromASTUntyped(argument.value);
  return args;
}
