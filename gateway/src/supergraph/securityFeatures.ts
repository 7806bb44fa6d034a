// Fail-closed handling of `@link(..., for: SECURITY | EXECUTION)` features in a supergraph.
//
// @apollo/gateway refuses any SECURITY feature it does not know ("feature … is for: SECURITY but is
// unsupported"), including authenticated and requiresScopes, which this gateway enforces itself.
// We accept exactly the features we enforce (or that @apollo/gateway supports natively), drop their
// `for:` argument in the copy handed to @apollo/gateway, and refuse everything else: a supergraph
// with a security feature nobody enforces must not load.
import { Kind, parse, print, visit, type DocumentNode, type DirectiveNode } from 'graphql';
import { DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES, type Supergraph } from '@apollo/federation-internals';
import { UnsupportedFeatureError } from './supergraphLoadErrors.js';

/** Feature base URLs this gateway enforces itself (see gateway/src/authorization). */
export const GATEWAY_ENFORCED_FEATURES: ReadonlySet<string> = new Set([
  'https://specs.apollo.dev/authenticated/v0.1',
  'https://specs.apollo.dev/requiresScopes/v0.1',
]);

export { UnsupportedFeatureError };

const linkDirectiveNames = new Set(['link', 'core']);

function stringArgument(directive: DirectiveNode, name: string): string | undefined {
  const argument = directive.arguments?.find((arg) => arg.name.value === name);
  if (!argument) return undefined;
  if (argument.value.kind === Kind.STRING) return argument.value.value;
  if (argument.value.kind === Kind.ENUM) return argument.value.value;
  return undefined;
}

/** "https://specs.apollo.dev/authenticated/v0.1" from ".../authenticated/v0.1" (drops a trailing slash). */
function featureBase(url: string): string {
  return url.replace(/\/+$/, '');
}

function isSupportedNatively(url: string): boolean {
  return DEFAULT_SUPPORTED_SUPERGRAPH_FEATURES.has(featureBase(url));
}

export interface PreparedSupergraph {
  /** The SDL exactly as read: policy (authz, rate limits) is read from this. */
  readonly document: DocumentNode;
  /** The SDL handed to @apollo/gateway (gateway-enforced features no longer marked `for:`). */
  readonly sdlForGateway: string;
  /** Purposeful features we enforce, e.g. ["https://specs.apollo.dev/authenticated/v0.1"]. */
  readonly enforcedFeatures: string[];
  /**
   * `sdlForGateway` built and validated (validateSupergraphSdl): @apollo/gateway is handed this one
   * instead of building it again (supergraph/buildSupergraphOnce.ts).
   */
  readonly built?: Supergraph;
}

/** `document`: `sdl` parsed without locations, when the caller has it already (supergraphText.ts). */
export function prepareSupergraph(sdl: string, document: DocumentNode = parse(sdl, { noLocation: true })): PreparedSupergraph {
  const enforced: string[] = [];
  const refused: string[] = [];
  const rewritten = visit(document, {
    Directive(node) {
      if (!linkDirectiveNames.has(node.name.value)) return undefined;
      const url = stringArgument(node, 'url') ?? stringArgument(node, 'feature');
      const purpose = stringArgument(node, 'for');
      if (!url || (purpose !== 'SECURITY' && purpose !== 'EXECUTION')) return undefined;
      if (isSupportedNatively(url)) return undefined;
      if (purpose === 'SECURITY' && GATEWAY_ENFORCED_FEATURES.has(featureBase(url))) {
        enforced.push(featureBase(url));
        const withoutPurpose: DirectiveNode = {
          ...node,
          arguments: node.arguments?.filter((arg) => arg.name.value !== 'for'),
        };
        return withoutPurpose;
      }
      refused.push(`${url} (for: ${purpose})`);
      return undefined;
    },
  });
  if (refused.length > 0) {
    throw new UnsupportedFeatureError(
      `supergraph links feature(s) this gateway does not enforce: ${refused.join(', ')}; ` +
        `refusing to load (fail closed). Enforced: ${[...GATEWAY_ENFORCED_FEATURES].join(', ')}`,
    );
  }
  return { document, sdlForGateway: enforced.length > 0 ? print(rewritten) : sdl, enforcedFeatures: enforced };
}
