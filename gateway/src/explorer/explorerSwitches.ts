// Whether introspection and the local explorer (GraphiQL) are on: both default to on outside production,
// and GraphiQL reads the schema through introspection, so GraphiQL on with introspection off is a config
// error. Checked by main.ts before it loads @apollo/* (a refusal in ~0.4 CPU-s instead of ~1.2), and by
// server.ts, which also serves gateways started in-process.
import { ConfigError, type GatewayConfig } from '../config.js';

export interface ExplorerSwitches {
  introspection: boolean;
  graphiqlEnabled: boolean;
}

export function explorerSwitches(config: Pick<GatewayConfig, 'introspection' | 'graphiql'>, production: boolean): ExplorerSwitches {
  const introspection = config.introspection ?? !production;
  const graphiqlEnabled = config.graphiql.enabled ?? introspection;
  if (graphiqlEnabled && !introspection) {
    throw new ConfigError('invalid config: graphiql.enabled: GraphiQL reads the schema through introspection; set introspection: true too');
  }
  return { introspection, graphiqlEnabled };
}
