/**
 * Test support: a TCP port on 127.0.0.1 nobody listens on right now (the kernel's pick for port 0), for a server a
 * test starts in another process (a broker, a relay). Something else may take it before that process binds; tests
 * that also need the UDP port free use runtime/daemon/testing/relay-process.ts freePort().
 */
import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
