// The supergraph's names (types, fields, arguments, enum values) internalized by V8 as one-byte strings,
// before anything else in the load path interns them.
//
// Why: V8 keeps one copy of every string used as a property name (its string table), and the first copy
// interned wins. In the gateway process the schema's field names ended up interned as two-byte (UTF-16)
// strings although they are ASCII (seen with `node --allow-natives-syntax` and %DebugPrint: `u#users`,
// `u#inStock`, ... after the supergraph load; not reproduced loading the same file outside the gateway, so
// the copy that wins comes from somewhere in our load path, not from the file). Every answer object then
// has two-byte keys, and JSON.stringify switches its whole output to two-byte at the first one: the deep
// bench's ~87 KB answer became a 174 KB two-byte string whose first flatten and UTF-8 length took ~1 ms
// (median, in process) per request, against ~40 µs once the names are one-byte (bench/RESULTS.md,
// "One-byte schema names").
//
// A name interned here is a slice of the SDL text read from the file (one-byte when the file is ASCII), so
// V8 interns a one-byte copy; later lookups of the same name, whatever their own representation, get this
// copy. Behaviour does not change: equal strings stay equal, only V8's representation of them differs.
import type { ASTNode, DocumentNode } from 'graphql';

/** Interns every Name of `document` (a parse of the supergraph SDL). */
export function internOneByteNames(document: DocumentNode): void {
  // Assigning a property name is how JavaScript interns a string; the object is thrown away.
  const interned: Record<string, 0> = Object.create(null) as Record<string, 0>;
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if ((node as ASTNode).kind === 'Name') {
      interned[(node as { value: string }).value] = 0;
      return;
    }
    for (const key of Object.keys(node)) if (key !== 'loc') visit((node as Record<string, unknown>)[key]);
  };
  visit(document);
}
