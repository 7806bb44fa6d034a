// Loads the supergraph from a file and hot-reloads it: when the file changes, the new SDL is
// validated first and only then handed to @apollo/gateway; an invalid file is logged and the old
// schema keeps serving. Polling (fs.watchFile) rather than fs.watch: editors and `mv` replace the
// file atomically (a new inode), which fs.watch misses on some platforms; polling does not.
// A Kubernetes ConfigMap volume updates the same way, through a symlink swap (`..data` is re-pointed at a
// new timestamped folder): stat follows the link, and a change of the target's inode counts as a change
// even when the new file keeps the old mtime and size.
import { statSync, unwatchFile, watchFile, type Stats } from 'node:fs';
import { Supergraph } from '@apollo/federation-internals';
import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from '../logger.js';
import { prepareSupergraph, type PreparedSupergraph } from './securityFeatures.js';
import { internOneByteNames } from './oneByteNames.js';
import { readAuthorizationPolicy } from '../authorization/authorizationPolicy.js';
import { readSupergraphRateLimits } from '../rateLimit/supergraphRateLimits.js';
import { buildDemandPolicy } from '../policy/demandPolicy.js';
import { refuseUnreadablePolicy } from './unreadablePolicy.js';
import { invalidSupergraph, parseSupergraphText, readSupergraphText, SupergraphLoadError, type SupergraphText } from './supergraphText.js';

export { SupergraphLoadError };

/**
 * Reads, checks the linked features (fail closed), and validates a supergraph file. `preread`: the file as
 * main.ts already read and parsed it (readSupergraphText), at startup.
 */
export function loadSupergraphFile(path: string, preread?: SupergraphText): PreparedSupergraph {
  return validateSupergraphText(preread ?? readSupergraphText(path), path);
}

export function validateSupergraphSdl(sdl: string, source: string): PreparedSupergraph {
  return validateSupergraphText(parseSupergraphText(sdl, source), source);
}

function validateSupergraphText({ sdl, document }: SupergraphText, source: string): PreparedSupergraph {
  let prepared: PreparedSupergraph;
  try {
    prepared = prepareSupergraph(sdl, document);
    // First, before Supergraph.build and the planner see the names (oneByteNames.ts: ~1 ms per deep answer).
    internOneByteNames(prepared.document);
    // The validation @apollo/gateway runs outside production, done up front so a bad file never reaches
    // it; the result is what @apollo/gateway then uses (buildSupergraphOnce.ts), not built a second time.
    prepared = { ...prepared, built: Supergraph.build(prepared.sdlForGateway) };
    // Authorization policy is read now too: a malformed @requiresScopes stops this load (the old
    // schema keeps serving on reload) instead of failing every request against the new schema.
    readAuthorizationPolicy(prepared.document);
    // Likewise a malformed @rateLimit (bad max, window or identityArgs).
    readSupergraphRateLimits(prepared.document);
    // Likewise a malformed @listSize / @cost, or a cost spec version the gateway does not implement.
    buildDemandPolicy(prepared.document, { defaultListSize: 0, listSizes: {}, weights: {} });
    // And policy applied without the @link the readers resolve it through, or @policy (not enforced).
    refuseUnreadablePolicy(prepared.document);
  } catch (error) {
    throw invalidSupergraph(source, error);
  }
  return prepared;
}

export interface SupergraphFileSourceOptions {
  path: string;
  watch: boolean;
  pollIntervalMs: number;
  logger: Logger;
  /** Called with each supergraph just before @apollo/gateway receives it. */
  onPrepared(supergraph: PreparedSupergraph): void;
  /** Called after each reload attempt (metrics). */
  onReloadResult?(result: 'applied' | 'rejected'): void;
}

/** The `supergraphSdl` hook for ApolloGateway: initial load plus file-watching updates. */
export function supergraphFileSource(initial: PreparedSupergraph, options: SupergraphFileSourceOptions): SupergraphSdlHook {
  return async ({ update }) => {
    options.onPrepared(initial);
    let lastVersion = fileVersion(statSync(options.path));
    let lastSdl = initial.sdlForGateway;
    const onChange = () => {
      let stat;
      try {
        stat = statSync(options.path);
      } catch {
        options.logger.error({ event: 'supergraph_reload_failed', path: options.path }, 'supergraph file disappeared; keeping the current schema');
        options.onReloadResult?.('rejected');
        return;
      }
      const version = fileVersion(stat);
      if (version === lastVersion) return;
      lastVersion = version;
      let next: PreparedSupergraph;
      try {
        next = loadSupergraphFile(options.path);
      } catch (error) {
        options.logger.error({ event: 'supergraph_reload_failed', path: options.path, err: (error as Error).message }, 'invalid new supergraph rejected; keeping the current schema');
        options.onReloadResult?.('rejected');
        return;
      }
      if (next.sdlForGateway === lastSdl) return;
      try {
        options.onPrepared(next);
        update(next.sdlForGateway);
        lastSdl = next.sdlForGateway;
        options.logger.info({ event: 'supergraph_reloaded', path: options.path }, 'supergraph reloaded');
        options.onReloadResult?.('applied');
      } catch (error) {
        options.logger.error({ event: 'supergraph_reload_failed', path: options.path, err: (error as Error).message }, 'gateway rejected the new supergraph; keeping the current schema');
        options.onReloadResult?.('rejected');
      }
    };
    if (options.watch) watchFile(options.path, { interval: options.pollIntervalMs, persistent: false }, onChange);
    return {
      supergraphSdl: initial.sdlForGateway,
      cleanup: async () => {
        unwatchFile(options.path, onChange);
      },
    };
  };
}

/** What identifies one version of the file: the inode behind the path (symlinks followed), its mtime and size. */
function fileVersion(stat: Stats): string {
  return `${stat.dev}:${stat.ino}:${stat.mtimeMs}:${stat.size}`;
}
