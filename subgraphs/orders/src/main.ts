// CLI entry of the orders subgraph: `tsx subgraphs/orders/src/main.ts --port 4002` (env ORDERS_PORT).
import { runSubgraph } from '../../kit/src/runSubgraph.js';
import { createOrdersSubgraph } from './ordersSubgraph.js';

await runSubgraph(createOrdersSubgraph());
