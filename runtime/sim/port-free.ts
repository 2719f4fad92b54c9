/** Whether a loopback TCP port is free now: the simulated default's client ports fall back to the system's pick. */
import { createServer } from 'node:net';

export async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}
