// A CommonJS module required at load but used later, or never: its entry in the CommonJS cache is a
// stand-in whose exports object is a Proxy, and the real module loads on first use. Used by
// deferredApolloTelemetry.ts and deferredApolloDependencies.ts (each says which modules and why).
//
// How: the first property read, key listing, `in` check or call loads the real module and answers from it,
// unchanged (the stand-in is swapped out of the cache at that moment, so later `require()`s get the real
// exports object). A `require()` that only keeps the object for later costs nothing. A module already
// loaded is left alone.
// TypeScript's CommonJS interop reads `mod.__esModule` at require time (`__importDefault`, `__importStar`):
// a stand-in that knows that value (`esModule`, checked against the real module by startupWork.test.ts)
// answers it without loading. A `facade` answers named exports without loading, for a module whose
// requirer calls it at startup on a path this gateway never takes any further (see where it is used).
import { createRequire, Module } from 'node:module';
import { dirname } from 'node:path';

export interface StandInOptions {
  /** The module's exports is a function (callers may call the stand-in). @default false */
  callable?: boolean;
  /** The real module's `__esModule` (undefined: it has none), answered without loading. */
  esModule?: true;
  /**
   * Named exports answered without loading while the real module is not loaded (also its listed keys then),
   * made from `load`, which loads the real module (once) and returns its exports.
   */
  facade?: (load: () => object) => Readonly<Record<string, unknown>>;
}

interface CjsModule {
  id: string;
  filename: string;
  loaded: boolean;
  exports: unknown;
  paths: string[];
}
type ModuleInternals = typeof Module & {
  new (id: string, parent: unknown): CjsModule;
  _nodeModulePaths(from: string): string[];
};

// The CommonJS cache is one per process, keyed by absolute path: any require() reaches every entry.
const moduleRequire = createRequire(import.meta.url);

/** Ids (absolute paths) of the stand-ins not yet replaced by their real module: what tests check. */
export const stillDeferred = new Set<string>();

/** Replaces the cache entry of `id` (an absolute module path) with a stand-in, unless it is loaded already. */
export function deferModule(id: string, options: StandInOptions = {}): void {
  if (moduleRequire.cache[id]) return;
  let real: object | undefined;
  const load = (): object => {
    if (real === undefined) {
      delete moduleRequire.cache[id];
      stillDeferred.delete(id);
      real = moduleRequire(id) as object;
    }
    return real;
  };
  const facade = options.facade?.(load);
  const early = (key: string | symbol): boolean => real === undefined && facade !== undefined && Object.hasOwn(facade, key);
  // An arrow function when callable: it has no non-configurable own property (`prototype`) that the Proxy
  // would have to report whatever the real module has.
  const target = options.callable ? () => undefined : {};
  const exports = new Proxy(target, {
    get: (_target, key) => {
      if (key === '__esModule' && real === undefined) return options.esModule;
      return early(key) ? facade![key as string] : Reflect.get(load(), key);
    },
    has: (_target, key) => early(key) || Reflect.has(load(), key),
    ownKeys: () => (real === undefined && facade ? Reflect.ownKeys(facade) : Reflect.ownKeys(load())),
    // Reported configurable: the Proxy's own target does not have these properties.
    getOwnPropertyDescriptor: (_target, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(early(key) ? facade! : load(), key);
      return descriptor && { ...descriptor, configurable: true };
    },
    getPrototypeOf: () => Reflect.getPrototypeOf(real === undefined && facade ? facade : load()),
    apply: (_target, thisArgument, args) => Reflect.apply(load() as (...args: unknown[]) => unknown, thisArgument, args),
  });
  const ModuleClass = Module as ModuleInternals;
  const standIn = new ModuleClass(id, null);
  standIn.filename = id;
  standIn.paths = ModuleClass._nodeModulePaths(dirname(id));
  standIn.exports = exports;
  standIn.loaded = true;
  moduleRequire.cache[id] = standIn as unknown as NodeJS.Module;
  stillDeferred.add(id);
}
