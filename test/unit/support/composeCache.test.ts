// The tests' composition cache (test/support/composeCache.ts) gives what a fresh composition gives, composes
// again when any input changes, and keeps nothing of a composition that failed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { cachedSupergraphFile, composeSupergraph, type ComposeInput } from '../../support/composeCache.js';

/** A subgraph no earlier run has composed (a fresh type name), so its first composition is a miss. */
function probe(): ComposeInput {
  const typeName = `Probe${randomUUID().replaceAll('-', '')}`;
  return { name: 'probe', url: 'http://probe.invalid/graphql', sdl: `type Query { probe: ${typeName} } type ${typeName} { id: ID }` };
}

/** Runs `body` with the subgraph lists it composes, then removes their cache files (each run's probes are new). */
function withCleanup(body: (composed: ComposeInput[][]) => void): void {
  const composed: ComposeInput[][] = [];
  try {
    body(composed);
  } finally {
    for (const subgraphs of composed) rmSync(cachedSupergraphFile(subgraphs), { force: true });
  }
}

test('a miss composes and keeps the supergraph; a hit returns the same text a fresh composition gives', { timeout: 30_000 }, () => {
  withCleanup((composed) => {
    const subgraphs = [probe()];
    composed.push(subgraphs);
    const file = cachedSupergraphFile(subgraphs);
    assert.equal(existsSync(file), false);
    const first = composeSupergraph(subgraphs);
    assert.equal(readFileSync(file, 'utf8'), first, 'kept under its inputs’ name');
    assert.equal(composeSupergraph(subgraphs), first);
    const fresh = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
    assert.equal(fresh.errors, undefined);
    assert.equal(first, fresh.supergraphSdl);
  });
});

test('a changed SDL, URL or subgraph name composes again', { timeout: 30_000 }, () => {
  withCleanup((composed) => {
    const base = probe();
    const variants = [
      [base],
      [{ ...base, sdl: base.sdl.replace('{ id: ID }', '{ key: ID }') }],
      [{ ...base, url: 'http://elsewhere.invalid/graphql' }],
      [{ ...base, name: 'renamed' }],
    ];
    composed.push(...variants);
    assert.equal(new Set(variants.map(cachedSupergraphFile)).size, 4, 'each input set has its own file');
    const [plain, renamedField, otherUrl, otherName] = variants.map(composeSupergraph) as [string, string, string, string];
    assert.match(renamedField, /\bkey: ID\b/);
    assert.doesNotMatch(plain, /\bkey: ID\b/);
    assert.match(otherUrl, /"http:\/\/elsewhere\.invalid\/graphql"/);
    assert.match(otherName, /RENAMED/);
    assert.doesNotMatch(plain, /RENAMED/);
  });
});

test("a schema that does not compose throws composition's error and keeps nothing", { timeout: 30_000 }, () => {
  const subgraphs = [{ ...probe(), sdl: `type Query { probe: Missing${randomUUID().replaceAll('-', '')} }` }];
  assert.throws(() => composeSupergraph(subgraphs), /fixture composition failed: .*Unknown type/);
  assert.equal(existsSync(cachedSupergraphFile(subgraphs)), false);
});
