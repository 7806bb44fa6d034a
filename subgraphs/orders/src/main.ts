// CLI entry of the orders subgraph: `node subgraphs/orders/dist/main.js --port 4002` (env ORDERS_PORT).
import { runSubgraph } from '@federation-gateway/subgraph-kit';
import { createOrdersSubgraph } from './ordersSubgraph.js';

await runSubgraph(createOrdersSubgraph());
