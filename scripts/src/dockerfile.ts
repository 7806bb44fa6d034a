// Reads deploy/Dockerfile into stages and instructions, for the rehearsal (dockerfileRehearsal.ts) and
// for the test that keeps the manifests true to the image. Hand-written on purpose: the npm Dockerfile
// parsers give each instruction a differently shaped result and do not read flags (--from, --interval);
// what we need is Docker's line rules (comments, `\` continuations, exec vs shell form) and that is all.
import { readFileSync } from 'node:fs';

export interface DockerInstruction {
  /** Upper-case keyword: FROM, RUN, COPY, ... */
  keyword: string;
  /** Leading `--name=value` flags (COPY --from, HEALTHCHECK --interval, ...). */
  flags: Record<string, string>;
  /** The rest of the instruction, after the flags. */
  args: string;
  /** The exec form (a JSON array) when the args are one, else undefined (shell form). */
  exec?: string[];
  /** 1-based line of the instruction's start. */
  line: number;
}

export interface DockerStage {
  /** The `AS` name, or the stage's index as a string. */
  name: string;
  /** The FROM image with ARG defaults substituted. */
  image: string;
  instructions: DockerInstruction[];
}

export interface Dockerfile {
  /** ARGs declared before the first FROM, with their defaults. */
  args: Record<string, string>;
  stages: DockerStage[];
}

export class DockerfileError extends Error {
  override name = 'DockerfileError';
}

function parseExec(args: string): string[] | undefined {
  if (!args.startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? (parsed as string[]) : undefined;
  } catch {
    return undefined; // Docker runs a malformed JSON array in shell form too
  }
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (;;) {
    const match = /^--([a-z-]+)=(\S+)\s*/.exec(args);
    if (!match) return { flags, args };
    flags[match[1]!] = match[2]!;
    args = args.slice(match[0].length);
  }
}

/** The instructions of a Dockerfile, in order, with continuations joined and comments dropped. */
export function parseInstructions(text: string): DockerInstruction[] {
  const instructions: DockerInstruction[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const first = lines[index]!.trim();
    if (first === '' || first.startsWith('#')) continue;
    const line = index + 1;
    let joined = first;
    while (joined.endsWith('\\')) {
      joined = joined.slice(0, -1);
      index += 1;
      if (index >= lines.length) break;
      const next = lines[index]!.trim();
      // Comment lines inside a continuation are dropped, as Docker does.
      if (!next.startsWith('#')) joined += ` ${next}`;
    }
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(joined.trim());
    if (!match) throw new DockerfileError(`line ${line}: not an instruction: ${joined}`);
    const { flags, args } = splitFlags(match[2]!.trim());
    const instruction: DockerInstruction = { keyword: match[1]!.toUpperCase(), flags, args, line };
    const exec = parseExec(args);
    if (exec) instruction.exec = exec;
    instructions.push(instruction);
  }
  return instructions;
}

export function substituteArgs(value: string, args: Record<string, string>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (whole, braced?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    if (!(name in args)) throw new DockerfileError(`${whole}: no ARG ${name} with a default`);
    return args[name]!;
  });
}

export function parseDockerfile(text: string): Dockerfile {
  const args: Record<string, string> = {};
  const stages: DockerStage[] = [];
  for (const instruction of parseInstructions(text)) {
    if (instruction.keyword === 'ARG' && stages.length === 0) {
      const [name, value] = instruction.args.split('=', 2);
      args[name!.trim()] = value?.trim() ?? '';
      continue;
    }
    if (instruction.keyword === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!match) throw new DockerfileError(`line ${instruction.line}: FROM ${instruction.args}`);
      stages.push({ name: match[2] ?? String(stages.length), image: substituteArgs(match[1]!, args), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new DockerfileError(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
    stage.instructions.push(instruction);
  }
  if (stages.length === 0) throw new DockerfileError('no FROM: not a Dockerfile');
  return { args, stages };
}

export function readDockerfile(path: string): Dockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'));
}

/** `ENV a=b c=d` / `ENV a b` as pairs. */
export function envPairs(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  if (!args.includes('=')) {
    const [name, ...value] = args.split(/\s+/);
    pairs[name!] = value.join(' ');
    return pairs;
  }
  for (const match of args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|\S*)/g)) {
    const raw = match[2]!;
    pairs[match[1]!] = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
  }
  return pairs;
}
