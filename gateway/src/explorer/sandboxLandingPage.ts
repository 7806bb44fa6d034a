// Apollo Sandbox on GET /graphql (browsers), as Apollo Server's local landing page, with two changes:
// no telemetry from the embedded Sandbox, and, when the local explorer is on, a link to it in the
// page's offline fallback (Sandbox's scripts come from Apollo's CDN: offline the page shows only that
// fallback, which then says where the explorer that needs no internet is).
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageLocalDefault } from '@apollo/server/plugin/landingPage/default';

/** The end of the fallback paragraph Apollo Server's landing page shows when its CDN is unreachable. */
const OFFLINE_FALLBACK_END = 'it appears that you might be offline.</p>';

export interface SandboxLandingPageOptions {
  /** Link the local explorer (GET /graphiql) from the page. */
  linkToLocalExplorer: boolean;
}

export function addLocalExplorerLink(html: string): string {
  // Relative to /graphql, so it stays right behind a proxy that mounts the gateway under a prefix.
  const link = '<p>The local GraphiQL explorer needs no internet: <a id="local-explorer-link" href="graphiql">open GraphiQL</a>.</p>';
  if (html.includes(OFFLINE_FALLBACK_END)) return html.replace(OFFLINE_FALLBACK_END, `${OFFLINE_FALLBACK_END}\n  ${link}`);
  // Apollo Server changed its page: still link it, at the end of the body.
  return html.replace('</body>', `${link}\n</body>`);
}

export function createSandboxLandingPage(options: SandboxLandingPageOptions): ApolloServerPlugin {
  const sandbox = ApolloServerPluginLandingPageLocalDefault({ embed: { runTelemetry: false }, includeCookies: false });
  if (!options.linkToLocalExplorer) return sandbox;
  return {
    async serverWillStart(service) {
      const listener = await sandbox.serverWillStart?.(service);
      if (!listener?.renderLandingPage) return listener;
      const renderLandingPage = listener.renderLandingPage.bind(listener);
      return {
        ...listener,
        async renderLandingPage() {
          const page = await renderLandingPage();
          const { html } = page;
          return { ...page, html: typeof html === 'string' ? addLocalExplorerLink(html) : async () => addLocalExplorerLink(await html()) };
        },
      };
    },
  };
}
