// CLI entry of the users subgraph: `tsx subgraphs/users/src/main.ts --port 4001` (env USERS_PORT).
import { runSubgraph } from '../../kit/src/runSubgraph.js';
import { createUsersSubgraph } from './usersSubgraph.js';

await runSubgraph(createUsersSubgraph());
