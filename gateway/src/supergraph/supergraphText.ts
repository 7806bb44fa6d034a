// The first steps of loading a supergraph file, which need nothing but graphql's parser: read the file,
// refuse an empty one, parse it. supergraphFile.ts runs them on every load (startup and each reload);
// main.ts runs them before it loads @apollo/* (gatewayProcess.ts) and hands the result on, so a file that
// cannot even be parsed is refused with the same message and exit code without loading @apollo/*: a
// cluster worker whose replacements all die on a broken file (crash loop) or a start with a typo in the
// path. graphql's parser alone, not graphql's entry point: the parser's files are the ones the entry
// point loads later (same module instances).
import { readFileSync } from 'node:fs';
import { parse } from 'graphql/language/parser.js';
import type { DocumentNode } from 'graphql';

import { SupergraphLoadError } from './supergraphLoadErrors.js';

export { SupergraphLoadError };

/** A supergraph file as read and parsed (without locations: policy and the planner never need them). */
export interface SupergraphText {
  readonly sdl: string;
  readonly document: DocumentNode;
}

/** The refusal of a supergraph that cannot load: its first three lines of explanation, on one line. */
export function invalidSupergraph(source: string, error: unknown): SupergraphLoadError {
  const message = (error as Error).message.split('\n').slice(0, 3).join(' ');
  return new SupergraphLoadError(`invalid supergraph ${source}: ${message}`);
}

export function readSupergraphFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new SupergraphLoadError(`cannot read supergraph ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** Refuses an empty SDL and one that does not parse (SupergraphLoadError naming `source`). */
export function parseSupergraphText(sdl: string, source: string): SupergraphText {
  if (sdl.trim() === '') throw new SupergraphLoadError(`supergraph ${source} is empty`);
  try {
    return { sdl, document: parse(sdl, { noLocation: true }) };
  } catch (error) {
    throw invalidSupergraph(source, error);
  }
}

/** Reads and parses a supergraph file: what can be refused before @apollo/* is loaded. */
export function readSupergraphText(path: string): SupergraphText {
  return parseSupergraphText(readSupergraphFile(path), path);
}
