// Every test and hook declares its own timeout (`test(name, { timeout: 30_000 }, fn)`, `before(fn, { timeout })`):
// Node 20 has no per-test default (a runner-wide --test-timeout cancels whole files), so a test without
// one could hang a run until its 15-minute deadline. scripts/run-tests.mjs refuses to start when one
// is missing, naming file and line.
import { readFileSync } from 'node:fs';
import ts from 'typescript';

const TESTS = new Set(['test', 'it']);
const HOOKS = new Set(['before', 'after', 'beforeEach', 'afterEach']);

function hasTimeout(node) {
  return node !== undefined && ts.isObjectLiteralExpression(node) && node.properties.some((p) => p.name?.getText() === 'timeout');
}

/** `file:line` of every test()/it() or hook call without a timeout option. */
export function callsWithoutTimeout(files) {
  const missing = [];
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
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
  }
  return missing;
}
