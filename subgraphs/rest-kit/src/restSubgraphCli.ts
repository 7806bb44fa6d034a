// CLI glue for REST-wrapping subgraphs: take the backend flags (--catalog-url, …) off the command line
// before the subgraph kit parses the rest, and exit 2 with one line on a bad value.
import { RestBackendOptionError, takeRestBackendOptions, type RestBackend, type RestBackendSpec } from './restBackendOptions.js';

export function exitOnBadBackendOptions<Name extends string>(subgraph: string, specs: Record<Name, RestBackendSpec>): Record<Name, RestBackend> {
  try {
    const { backends, remainingArgv } = takeRestBackendOptions(specs, process.argv.slice(2), process.env);
    // runSubgraph reads process.argv itself (strict: unknown flags are errors), so hand it only its own flags.
    process.argv.splice(2, process.argv.length - 2, ...remainingArgv);
    return backends;
  } catch (error) {
    if (!(error instanceof RestBackendOptionError)) throw error;
    process.stderr.write(`${subgraph}: ${error.message}\n`);
    process.exit(2);
  }
}
