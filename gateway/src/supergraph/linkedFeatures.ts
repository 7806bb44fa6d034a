// The one @link resolver: which features a supergraph links and what each feature's directives are
// called in it. Policy readers (authorization, rate limits) and the fail-closed check all ask here, so
// they agree on names: the link spec lets a feature be renamed (`as:`), its directives be imported under
// other names (`import: [{ name: "@x", as: "@y" }]`), and @link itself be renamed.
// https://specs.apollo.dev/link/v1.0/
import { Kind, type ConstDirectiveNode, type DocumentNode } from 'graphql';

const LINK_SPEC = 'https://specs.apollo.dev/link/';

export interface LinkedFeature {
  /** The link's url without a trailing slash, e.g. "https://specs.apollo.dev/requiresScopes/v0.1". */
  readonly url: string;
  /** The feature name: the url's second-to-last segment, e.g. "requiresScopes". */
  readonly name: string;
  /** The url's last segment, e.g. "v0.1". */
  readonly version: string;
  /** The `for:` purpose (SECURITY, EXECUTION), if any. */
  readonly purpose: string | undefined;
  /** The name this document uses for the feature's directive `@<directive>` (without the @). */
  directiveName(directive: string): string;
}

/** The name of the @link directive itself: whatever the bootstrap link (`url: ".../link/v1.0"`) is called. */
export function linkDirectiveName(document: DocumentNode): string {
  const bootstrap = schemaDirectives(document).find((d) => stringArgument(d, 'url')?.startsWith(LINK_SPEC));
  return bootstrap?.name.value ?? 'link';
}

/** Every feature the schema definition links, in document order. */
export function linkedFeatures(document: DocumentNode): LinkedFeature[] {
  const linkName = linkDirectiveName(document);
  const features: LinkedFeature[] = [];
  for (const link of schemaDirectives(document)) {
    if (link.name.value !== linkName) continue;
    const url = stringArgument(link, 'url')?.replace(/\/+$/, '');
    if (!url) continue;
    const segments = url.split('/');
    const version = segments.at(-1) ?? '';
    const name = segments.at(-2) ?? '';
    const namespace = stringArgument(link, 'as') ?? name;
    const imports = importedNames(link);
    features.push({
      url,
      name,
      version,
      purpose: enumOrStringArgument(link, 'for'),
      // Link spec: an imported directive keeps (or is renamed to) its import name; the directive named like
      // the feature is `@<namespace>`; any other is `@<namespace>__<directive>`.
      directiveName: (directive) => imports.get(directive) ?? (directive === name ? namespace : `${namespace}__${directive}`),
    });
  }
  return features;
}

function schemaDirectives(document: DocumentNode): readonly ConstDirectiveNode[] {
  return document.definitions.flatMap((d) =>
    d.kind === Kind.SCHEMA_DEFINITION || d.kind === Kind.SCHEMA_EXTENSION ? [...(d.directives ?? [])] : [],
  );
}

/** `import: ["@x"]` → x → x; `import: [{ name: "@x", as: "@y" }]` → x → y (directives only; types are not ours). */
function importedNames(link: ConstDirectiveNode): Map<string, string> {
  const names = new Map<string, string>();
  const imports = link.arguments?.find((a) => a.name.value === 'import')?.value;
  if (imports?.kind !== Kind.LIST) return names;
  for (const entry of imports.values) {
    if (entry.kind === Kind.STRING && entry.value.startsWith('@')) names.set(entry.value.slice(1), entry.value.slice(1));
    if (entry.kind !== Kind.OBJECT) continue;
    const name = entry.fields.find((f) => f.name.value === 'name')?.value;
    const as = entry.fields.find((f) => f.name.value === 'as')?.value;
    if (name?.kind !== Kind.STRING || !name.value.startsWith('@')) continue;
    names.set(name.value.slice(1), as?.kind === Kind.STRING ? as.value.replace(/^@/, '') : name.value.slice(1));
  }
  return names;
}

function stringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function enumOrStringArgument(directive: ConstDirectiveNode, name: string): string | undefined {
  const value = directive.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING || value?.kind === Kind.ENUM ? value.value : undefined;
}
