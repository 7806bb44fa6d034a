// Objects for results and representations that inherit nothing, in V8's fast (shaped) form.
//
// Stock @apollo/gateway (and this executor, until measured) uses `Object.create(null)`: no inherited
// `constructor`, `toString` or `__proto__` accessor, so a field or alias of any name is an ordinary own
// property. V8 keeps every null-prototype object in dictionary mode (a hash table per object): in isolation
// ~3x the memory and ~2.5x the CPU to build and JSON.stringify a result tree (bench/RESULTS.md, "Result
// objects in fast mode"). An object whose prototype is an empty, frozen null-prototype object inherits
// nothing either (the chain never reaches Object.prototype, so `__proto__` is a plain key and `constructor`
// reads undefined) and stays in fast mode, sharing hidden classes between objects of one shape.
/** Empty, frozen, null-prototype: the prototype of every emptyRecord(), and an empty read-only record itself. */
export const INHERITS_NOTHING: object = Object.freeze(Object.create(null) as object);

/** A new empty object that inherits no property (like `Object.create(null)`), in V8's fast mode. */
export function emptyRecord(): Record<string, unknown> {
  return Object.create(INHERITS_NOTHING) as Record<string, unknown>;
}
