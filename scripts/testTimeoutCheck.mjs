// Every test and hook declares its own timeout (`test(name, { timeout: 30_000 }, fn)`, `before(fn, { timeout })`):
// Node 20 has no per-test default (a runner-wide --test-timeout cancels whole files), so a test without
// one could hang a run until its 15-minute deadline. scripts/run-tests.mjs refuses to start when one
// is missing, naming file and line.
//
// Loading TypeScript's parser costs ~1.5 CPU-s, before the first test can start. So a file that passed is
// remembered by a hash of its text (with this checker's and TypeScript's), and a run whose files all
// passed before loads no parser: `callsWithoutTimeout(files, { passedFile })`.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
/** typescript (CommonJS), loaded on the first file that has to be parsed. */
let ts;

/** Passing file versions remembered: a few edits of every test file (~100 of them). */
const MAX_REMEMBERED = 1000;
const TESTS = new Set(['test', 'it']);
const HOOKS = new Set(['before', 'after', 'beforeEach', 'afterEach']);

function hasTimeout(node) {
  return node !== undefined && ts.isObjectLiteralExpression(node) && node.properties.some((p) => p.name?.getText() === 'timeout');
}

/** `file:line` of every test()/it() or hook call without a timeout option in one file's text. */
function missingIn(file, text) {
  ts ??= require('typescript');
  const missing = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
      const name = node.expression.text;
      const [first, second] = node.arguments;
      // test(name, options, fn) / test(name, fn); hooks: before(fn, options).
      const options = TESTS.has(name) ? second : HOOKS.has(name) ? second : undefined;
      const isCall = TESTS.has(name) ? node.arguments.length >= 2 && first !== undefined : HOOKS.has(name) && first !== undefined;
      if (isCall && !hasTimeout(options)) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
        missing.push(`${file}:${line + 1}: ${name}(…) has no { timeout }`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return missing;
}

/** What a pass depends on besides the file: this checker and the parser's version. */
function checkerVersion() {
  const typescriptVersion = JSON.parse(readFileSync(require.resolve('typescript/package.json'), 'utf8')).version;
  return `${typescriptVersion}\n${readFileSync(fileURLToPath(import.meta.url), 'utf8')}`;
}

function readPassed(passedFile) {
  try {
    return new Set(JSON.parse(readFileSync(passedFile, 'utf8')));
  } catch {
    return new Set();
  }
}

/**
 * `file:line` of every test()/it() or hook call without a timeout option. With `passedFile`, files whose
 * text passed before (a JSON list of hashes there) are not parsed again, and the hashes of this run's
 * passing files are added to the list (a file that fails is never in it).
 */
export function callsWithoutTimeout(files, { passedFile } = {}) {
  const passed = passedFile === undefined ? new Set() : readPassed(passedFile);
  const version = passedFile === undefined ? '' : checkerVersion();
  const missing = [];
  const passedNow = [];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const hash = createHash('sha256').update(version).update('\0').update(text).digest('hex');
    if (passed.has(hash)) {
      passedNow.push(hash);
      continue;
    }
    const found = missingIn(file, text);
    if (found.length === 0) passedNow.push(hash);
    missing.push(...found);
  }
  if (passedFile !== undefined) {
    try {
      mkdirSync(dirname(passedFile), { recursive: true });
      // This run's passes first, then older ones (a run over a few files keeps the others' passes), up to a bound.
      const kept = [...new Set([...passedNow, ...passed])].slice(0, MAX_REMEMBERED);
      writeFileSync(`${passedFile}.${process.pid}`, JSON.stringify(kept));
      renameSync(`${passedFile}.${process.pid}`, passedFile);
    } catch {
      // a read-only checkout: the next run parses every file again
    }
  }
  return missing;
}
