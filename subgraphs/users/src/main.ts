// CLI entry of the users subgraph: `node subgraphs/users/dist/main.js --port 4001` (env USERS_PORT).
import { runSubgraph } from '@federation-gateway/subgraph-kit';
import { createUsersSubgraph } from './usersSubgraph.js';

await runSubgraph(createUsersSubgraph());
