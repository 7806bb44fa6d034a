// The subgraphs a supergraph routes to: the `name:` of every `@join__graph` on the join spec's graph enum
// (whatever the document calls the join feature: names come from the one @link resolver).
// https://specs.apollo.dev/join/v0.5/
import { Kind, type DocumentNode } from 'graphql';
import { linkedFeatures } from './linkedFeatures.js';

export function subgraphNamesOf(document: DocumentNode): Set<string> {
  const join = linkedFeatures(document).find((feature) => feature.name === 'join');
  const graphDirective = join?.directiveName('graph') ?? 'join__graph';
  const names = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION) continue;
    for (const value of definition.values ?? []) {
      for (const directive of value.directives ?? []) {
        if (directive.name.value !== graphDirective) continue;
        const name = directive.arguments?.find((a) => a.name.value === 'name')?.value;
        if (name?.kind === Kind.STRING) names.add(name.value);
      }
    }
  }
  return names;
}
