// What binding the forwarded identity to each subgraph request costs, measured in process: on the gateway,
// per subgraph fetch, signing over the exact body (gateway/src/subgraphRequestSigning.ts, called by the
// datasource's process(): the code the gateway runs); on the subgraph, per request, the
// kit's verification (createGatewayIdentityVerifier: signature, claims, and the SHA-256 of the body it
// received). Three body sizes: a
// root fetch of the load scenarios, an `_entities` fetch with 50 representations, and a 100 KB body. The
// SHA-256 of the body alone is listed for scale: it is the part that grows with the body.
import { randomBytes } from 'node:crypto';
import { bodySha256, createGatewayIdentityVerifier, type ForwardedIdentity } from '@federation-gateway/identity';
import { signSubgraphRequest } from '@federation-gateway/gateway/subgraph-request-signing';
import { medianMicros, medianMicrosAsync } from './cpuMicros.js';

export interface IdentityCostRow {
  name: string;
  bodyBytes: number;
  /** Gateway, per subgraph fetch: sign over the body (CPU µs). */
  signMicros: number;
  /** Subgraph, per request: the kit's verifier (createGatewayIdentityVerifier) with the body (CPU µs). */
  verifyMicros: number;
  /** SHA-256 of the body alone, hex (CPU µs), included in both numbers above. */
  digestMicros: number;
}

const CALLER: ForwardedIdentity = { subject: 'user-1', scopes: ['orders:read:all'], roles: [], kind: 'user', tier: 'authenticated' };

function bodies(): { name: string; body: string }[] {
  const representations = Array.from({ length: 50 }, (_, i) => ({ __typename: 'User', id: `user-${i + 1}` }));
  return [
    { name: 'root fetch (load scenario)', body: JSON.stringify({ query: '{users(first:10){id name createdAt}}', variables: {} }) },
    {
      name: '_entities fetch, 50 representations',
      body: JSON.stringify({
        query: 'query($representations:[_Any!]!){_entities(representations:$representations){...on User{orders(first:5){id status}}}}',
        variables: { representations },
      }),
    },
    { name: '100 KB body', body: JSON.stringify({ query: '{ x }', variables: { blob: 'x'.repeat(100 * 1024) } }) },
  ];
}

export async function measureIdentityCost(batchMs = 60, batches = 9): Promise<IdentityCostRow[]> {
  const secret = randomBytes(32).toString('base64url');
  // As the kit does: one verifier per subgraph, created at startup.
  const verify = createGatewayIdentityVerifier({ secret, audience: 'users' });
  const cases = bodies().map(({ name, body }) => {
    const signer = { secret, audience: 'users', lifetimeSeconds: 10 };
    const sign = () => signSubgraphRequest(signer, { identity: CALLER, requestId: 'bench-request' }, body);
    return { name, received: Buffer.from(body), sign };
  });
  // Warm every path up first, so the first case measured is not the JIT's.
  for (let round = 0; round < 2_000; round++) {
    for (const { sign, received } of cases) await verify(await sign(), received);
  }
  const rows: IdentityCostRow[] = [];
  for (const { name, received, sign } of cases) {
    const signMicros = await medianMicrosAsync(batchMs, batches, sign);
    const token = await sign();
    const verifyMicros = await medianMicrosAsync(batchMs, batches, () => verify(token, received));
    const digestMicros = medianMicros(batchMs, batches, () => bodySha256(received));
    rows.push({ name, bodyBytes: received.length, signMicros, verifyMicros, digestMicros });
  }
  return rows;
}
