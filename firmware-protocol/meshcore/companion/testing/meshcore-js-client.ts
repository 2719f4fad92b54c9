/**
 * Test helpers for driving the companion device with the independent client @liamcottle/meshcore.js over TCP: a
 * bounded wait that names what it waited for, and a connected TCPConnection. Tests only.
 */
import { TCPConnection, type Connection } from '@liamcottle/meshcore.js';

/** `p`, or a rejection naming `what` after `ms` (meshcore.js promises have no timeout of their own). */
export function within<T>(p: Promise<T>, what: string, ms = 8000): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
    p.then((v) => (clearTimeout(t), resolve(v)), (e) => (clearTimeout(t), reject(e)));
  });
}

/** A meshcore.js client connected to 127.0.0.1:port (its 'connected': after APP_START and SELF_INFO). */
export async function openMeshcoreJs(port: number): Promise<Connection> {
  const c = new TCPConnection('127.0.0.1', port);
  const connected = new Promise<void>((r) => c.once('connected', () => r()));
  await c.connect();
  await within(connected, 'meshcore.js connected');
  return c;
}
