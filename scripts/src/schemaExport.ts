// `npm run -s schema:export [-- --supergraph FILE] [--out FILE]`: the client-facing schema (the API
// schema the gateway serves: no join__/link__ machinery) as SDL, for codegen and schema registries.
// Prints to stdout, or writes FILE with --out. The gateway serves the same text on GET /graphql/schema.graphql.
import { readFileSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { clientSchemaOf, printClientSchema } from '@federation-gateway/gateway/client-schema';

const USAGE = 'usage: npm run -s schema:export [-- --supergraph supergraph.graphql] [--out FILE]';

function fail(message: string, exitCode: number): never {
  process.stderr.write(`schema:export: ${message}\n`);
  process.exit(exitCode);
}

let flags: { supergraph?: string; out?: string; help?: boolean };
try {
  ({ values: flags } = parseArgs({
    options: { supergraph: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: false,
  }));
} catch (error) {
  fail(`${(error as Error).message}\n${USAGE}`, 2);
}
if (flags.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
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
