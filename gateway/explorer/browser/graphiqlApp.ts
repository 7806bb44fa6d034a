// The local GraphiQL explorer, as it runs in the browser. Bundled with React, Monaco and its workers
// by gateway/explorer/buildExplorer.ts into gateway/dist/explorer-assets/, and served by the gateway itself on
// GET /graphiql: no CDN, so it works offline (Apollo Sandbox on GET /graphql needs the internet).
// The page passes its settings in a JSON <script> element (CSP forbids inline scripts).
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import 'graphiql/style.css';

interface ExplorerSettings {
  /** The GraphQL endpoint, relative to the page (e.g. "graphql"). */
  endpoint: string;
  /** Headers a new tab starts with, e.g. a dev token under `npm start`. */
  defaultHeaders: Record<string, string>;
  /** The operation the first tab shows. */
  defaultQuery: string;
}

/**
 * Monaco runs its language services in web workers. GraphiQL's own setup files load them from a CDN
 * (esm.sh) or rely on a bundler's `new URL(..., import.meta.url)` handling; ours are separate bundles
 * served next to this one.
 */
function setupWorkers(): void {
  const workerUrl = (name: string) => new URL(`./${name}.worker.js`, import.meta.url);
  // Monaco asks `MonacoEnvironment.getWorker` for one web worker per language service.
  window.MonacoEnvironment = {
    getWorker(_workerId, label) {
      if (label === 'json') return new Worker(workerUrl('json'), { type: 'module' });
      if (label === 'graphql') return new Worker(workerUrl('graphql'), { type: 'module' });
      return new Worker(workerUrl('editor'), { type: 'module' });
    },
  };
}

function readSettings(): ExplorerSettings {
  const element = document.getElementById('graphiql-settings');
  return JSON.parse(element?.textContent ?? '{}') as ExplorerSettings;
}

setupWorkers();
const settings = readSettings();
const container = document.getElementById('graphiql');
if (!container) throw new Error('the page has no #graphiql element');
const hasDefaultHeaders = Object.keys(settings.defaultHeaders).length > 0;
createRoot(container).render(
  createElement(GraphiQL, {
    fetcher: createGraphiQLFetcher({ url: new URL(settings.endpoint, document.baseURI).href }),
    defaultQuery: settings.defaultQuery,
    defaultHeaders: hasDefaultHeaders ? JSON.stringify(settings.defaultHeaders, null, 2) : undefined,
    // Show the header editor open when it holds something the user should see (a dev token).
    defaultEditorToolsVisibility: hasDefaultHeaders ? 'headers' : false,
    // Tokens stay out of localStorage.
    shouldPersistHeaders: false,
  }),
);
