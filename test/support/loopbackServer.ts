// An in-process HTTP server a test starts on 127.0.0.1, on a port the kernel picks (bound at 0 and read
// back, so parallel test files never race for a port), and stops with its keep-alive connections.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Listens on 127.0.0.1:0 and returns the origin, e.g. `http://127.0.0.1:41234`. */
export async function listenOnLoopback(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server after dropping its idle keep-alive connections (close() alone waits for them). */
export async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
