/**
 * Starting and stopping a node:http server: listen with a ListenError that says why, and a stop that does not wait
 * forever for keep-alive clients (idle connections close at once, busy ones get a grace period).
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ListenError } from './errors.js';

export function listen(server: Server, what: string, host: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(new ListenError(what, host, port, err.code, { cause: err }));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

/** Stops accepting, closes idle keep-alive sockets, and cuts busy ones after `graceMs`. */
export async function close(server: Server, graceMs = 2000): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
