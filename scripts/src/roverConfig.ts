// Reads rover.yaml, Rover's supergraph config (https://www.apollographql.com/docs/rover/commands/supergraphs),
// the one list of subgraphs: `npm run compose` composes it and `npm start` takes routing URLs from it.
// Only `schema: { file }` sources are supported here: composition must not depend on running servers.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

export interface RoverSubgraph {
  name: string;
  routingUrl: string;
  /** Absolute path of the subgraph's schema.graphql. */
  schemaFile: string;
  /** The path as written in rover.yaml, for messages. */
  schemaFileAsWritten: string;
}

export interface RoverConfig {
  /** As written, e.g. "=2.14.4". */
  federationVersion: string;
  subgraphs: RoverSubgraph[];
}

/** A problem with rover.yaml; the message names the file and the key. */
export class RoverConfigError extends Error {
  override readonly name = 'RoverConfigError';
}

const roverYamlSchema = z.strictObject({
  // Rover accepts `2` (latest 2.x) or `=2.N.M` (exact); we require the exact installed version.
  federation_version: z.union([z.string(), z.number()]).transform(String),
  subgraphs: z.record(
    z.string().regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'subgraph names are letters, digits, - and _'),
    z.strictObject({
      routing_url: z.url({ protocol: /^https?$/ }),
      schema: z.strictObject({ file: z.string().min(1) }, 'only `schema: { file: ./path }` is supported'),
    }),
  ),
});

export function loadRoverConfig(configPath: string): RoverConfig {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (error) {
    throw new RoverConfigError(`${configPath}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new RoverConfigError(`${configPath}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = roverYamlSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new RoverConfigError(`${configPath}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const baseDir = dirname(configPath);
  const subgraphs = Object.entries(parsed.data.subgraphs).map(([name, subgraph]) => ({
    name,
    routingUrl: subgraph.routing_url,
    // Rover resolves schema files relative to the config file, not the working directory.
    schemaFile: resolve(baseDir, subgraph.schema.file),
    schemaFileAsWritten: subgraph.schema.file,
  }));
  if (subgraphs.length === 0) throw new RoverConfigError(`${configPath}: subgraphs: list at least one subgraph`);
  return { federationVersion: parsed.data.federation_version, subgraphs };
}

/** The version of @apollo/composition in node_modules, e.g. "2.14.4". */
export function installedCompositionVersion(): string {
  const require = createRequire(import.meta.url);
  const main = require.resolve('@apollo/composition');
  const packageJson = JSON.parse(readFileSync(resolve(dirname(main), '..', 'package.json'), 'utf8')) as { version: string };
  return packageJson.version;
}

/** rover.yaml must pin the composition version we compose with, or Rover users would get another supergraph. */
export function checkFederationVersion(config: RoverConfig, configPath: string): void {
  const installed = installedCompositionVersion();
  if (config.federationVersion !== `=${installed}`) {
    throw new RoverConfigError(
      `${configPath}: federation_version is "${config.federationVersion}" but the installed @apollo/composition is ${installed}: ` +
        `set \`federation_version: =${installed}\` so Rover and \`npm run compose\` produce the same supergraph`,
    );
  }
}
