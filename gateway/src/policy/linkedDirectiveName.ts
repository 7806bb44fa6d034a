// The name a directive of a linked feature has in one schema document, per the @link spec
// (https://specs.apollo.dev/link/v1.0): imported directives keep their name or take their `as`
// rename; the feature's eponymous directive (`@cost` of the cost feature) is `@<as ?? feature>`;
// any other directive of the feature is namespaced `@<as ?? feature>__<name>`. @link itself may be
// renamed, and bootstraps through its own URL.
import { Kind, valueFromASTUntyped, type ConstDirectiveNode, type DocumentNode } from 'graphql';

const LINK_SPEC = 'https://specs.apollo.dev/link/';

export interface LinkedFeature {
  /** The link's URL, e.g. "https://specs.apollo.dev/cost/v0.1". */
  readonly url: string;
  /** The version segment of the URL, e.g. "v0.1". */
  readonly version: string;
  /** The directive's name in this document, without "@". */
  directiveName(directive: string): string;
}

/** The feature whose URL starts with `featurePrefix` (e.g. "https://specs.apollo.dev/cost/"), or undefined when the document does not link it. */
export function linkedFeature(document: DocumentNode, featurePrefix: string): LinkedFeature | undefined {
  const schemaDirectives: ConstDirectiveNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.SCHEMA_DEFINITION || definition.kind === Kind.SCHEMA_EXTENSION) schemaDirectives.push(...(definition.directives ?? []));
  }
  const linkName = schemaDirectives.find((d) => stringArgument(d, 'url')?.startsWith(LINK_SPEC))?.name.value ?? 'link';
  const link = schemaDirectives.find((d) => d.name.value === linkName && stringArgument(d, 'url')?.startsWith(featurePrefix));
  if (!link) return undefined;
  const url = stringArgument(link, 'url') ?? '';
  const segments = url.replace(/\/+$/, '').split('/');
  const version = segments.pop() ?? '';
  const feature = segments.pop() ?? '';
  const namespace = stringArgument(link, 'as') ?? feature;
  const imports = new Map<string, string>();
  const importList = link.arguments?.find((a) => a.name.value === 'import')?.value;
  for (const entry of importList ? (valueFromASTUntyped(importList) as unknown[]) : []) {
    if (typeof entry === 'string') imports.set(entry.replace(/^@/, ''), entry.replace(/^@/, ''));
    else if (entry && typeof entry === 'object') {
      const { name, as } = entry as { name?: unknown; as?: unknown };
      if (typeof name === 'string') imports.set(name.replace(/^@/, ''), (typeof as === 'string' ? as : name).replace(/^@/, ''));
    }
  }
  return {
    url,
    version,
    // The eponymous directive takes the namespace itself; the others are prefixed with it.
    directiveName: (directive) => imports.get(directive) ?? (directive === feature ? namespace : `${namespace}__${directive}`),
  };
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
