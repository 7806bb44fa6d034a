// CLI glue for REST-wrapping subgraphs: read the subgraph's rest-backends.json, take the backend flags
// (--catalog-url, …) off the command line before the subgraph kit parses the rest, and exit 2 with one
// line on a bad value.
import { backendSpecs, readRestBackendDeclarations } from './restBackendDeclarations.js';
import { RestBackendOptionError, takeRestBackendOptions, type RestBackend } from './restBackendOptions.js';

/**
 * @param declarationsFile the subgraph's rest-backends.json, e.g. `new URL('../rest-backends.json', import.meta.url)`
 * @param required the backends the subgraph cannot run without (each must be declared in the file)
 */
export function exitOnBadBackendOptions<Name extends string>(
  subgraph: string,
  declarationsFile: URL,
  required: readonly Name[],
): Record<Name, RestBackend> {
  try {
    const declarations = readRestBackendDeclarations(declarationsFile);
    const missing = required.filter((name) => declarations[name] === undefined);
    if (missing.length > 0) throw new RestBackendOptionError(`${declarationsFile.pathname} declares no backend ${missing.join(', ')}`);
    const { backends, remainingArgv } = takeRestBackendOptions(backendSpecs(declarations), process.argv.slice(2), process.env);
    // runSubgraph reads process.argv itself (strict: unknown flags are errors), so hand it only its own flags.
    process.argv.splice(2, process.argv.length - 2, ...remainingArgv);
    return backends as Record<Name, RestBackend>;
  } catch (error) {
    process.stderr.write(`${subgraph}: ${(error as Error).message}\n`);
    process.exit(2);
  }
}
