// The one way the repo's CLI scripts read their flags: node:util's parseArgs in strict mode, a usage error
// on stderr with exit 2, and `--help`/`-h` (when the script declares it) printing the usage with exit 0.
// Every message starts with the command's name, so a line in CI logs says which script wrote it.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandDescription {
  /** How the command is shown in its messages, e.g. `schema:check`. */
  readonly name: string;
  /** The one-line usage printed with a flag error and for --help. */
  readonly usage: string;
}

/** Writes `NAME: message` on stderr and exits: 2 for usage and input errors, 1 for a failed check. */
export function failCommand(command: CommandDescription, message: string, exitCode: number): never {
  process.stderr.write(`${command.name}: ${message}\n`);
  process.exit(exitCode);
}

/** parseArgs in strict mode; an unknown or malformed flag exits 2 with the usage, --help exits 0. */
export function parseCommandLine<T extends ParseArgsConfig>(command: CommandDescription, config: T): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs<T>({ strict: true, allowPositionals: false, ...config });
  } catch (error) {
    failCommand(command, `${(error as Error).message}\n${command.usage}`, 2);
  }
  if ((parsed.values as Record<string, unknown>)['help'] === true) {
    process.stdout.write(`${command.usage}\n`);
    process.exit(0);
  }
  return parsed;
}
