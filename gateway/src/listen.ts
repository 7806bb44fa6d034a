// Binding a server to its port, shared by the API and admin listeners of a gateway and the cluster primary.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on port/host (0: any free port) and resolves with the base URL actually bound. */
export async function listen(server: Server, port: number, host: string): Promise<string> {
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const address = server.address() as AddressInfo;
  const boundHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${boundHost}:${address.port}`;
}
