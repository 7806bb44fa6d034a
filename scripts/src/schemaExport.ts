// `npm run -s schema:export [-- --supergraph FILE] [--out FILE]`: the client-facing schema (the API
// schema the gateway serves: no join__/link__ machinery) as SDL, for codegen and schema registries.
// Prints to stdout, or writes FILE with --out. The gateway serves the same text on GET /graphql/schema.graphql.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { failCommand, parseCommandLine } from './commandLine.js';
import { clientSchemaOf, printClientSchema } from '@federation-gateway/gateway/client-schema';

const COMMAND = { name: 'schema:export', usage: 'usage: npm run -s schema:export [-- --supergraph supergraph.graphql] [--out FILE]' };
function fail(message: string, exitCode: number): never {
  return failCommand(COMMAND, message, exitCode);
}

const { values: flags } = parseCommandLine(COMMAND, {
  options: { supergraph: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
});
const supergraphPath = resolve(flags.supergraph ?? resolve(import.meta.dirname, '../..', 'supergraph.graphql'));
let sdl: string;
try {
  sdl = readFileSync(supergraphPath, 'utf8');
} catch (error) {
  fail(`cannot read ${supergraphPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 2);
}
let clientSdl: string;
try {
  clientSdl = printClientSchema(clientSchemaOf(sdl));
} catch (error) {
  fail(`${supergraphPath} is not a valid supergraph: ${(error as Error).message.split('\n')[0]}`, 1);
}
if (flags.out) {
  writeFileSync(flags.out, clientSdl);
  process.stderr.write(`schema:export: wrote ${relative(process.cwd(), resolve(flags.out))} from ${relative(process.cwd(), supergraphPath)}\n`);
} else {
  process.stdout.write(clientSdl);
}
