/**
 * The room-server connections of a chat node (src/helpers/BaseChatMesh.cpp startConnection, stopConnection,
 * hasConnectionTo, markConnectionActive, checkConnectionsAck): keep-alive slots for servers we logged in to.
 */
import type { ContactInfo } from './contacts-table.js';

/** BaseChatMesh.h MAX_CONNECTIONS. */
export const MAX_CONNECTIONS = 16;

interface Connection {
  publicKey: Uint8Array;
  keepAliveMs: number;
  lastActivity: number;
  expectedAck: number;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  return a.every((x, i) => x === b[i]);
}

export class ConnectionsTable {
  private readonly connections: Connection[] = [];

  /** `now`: the RTC in seconds (lastActivity). */
  constructor(private readonly now: () => number) {}

  /** startConnection: false when the table is full. */
  start(c: ContactInfo, keepAliveSecs: number): boolean {
    let slot = this.connections.find((x) => sameKey(x.publicKey, c.publicKey));
    if (!slot) {
      if (this.connections.length >= MAX_CONNECTIONS) return false;
      slot = { publicKey: c.publicKey.slice(), keepAliveMs: 0, lastActivity: 0, expectedAck: 0 };
      this.connections.push(slot);
    }
    slot.keepAliveMs = keepAliveSecs * 1000;
    slot.expectedAck = 0;
    slot.lastActivity = this.now();
    return true;
  }

  stop(publicKey: Uint8Array): void {
    const i = this.connections.findIndex((x) => sameKey(x.publicKey, publicKey));
    if (i >= 0) this.connections.splice(i, 1);
  }

  hasConnectionTo(publicKey: Uint8Array): boolean {
    return this.connections.some((x) => x.keepAliveMs > 0 && sameKey(x.publicKey, publicKey));
  }

  markActive(c: ContactInfo): void {
    const x = this.connections.find((y) => sameKey(y.publicKey, c.publicKey));
    if (x) x.lastActivity = this.now();
  }

  /** checkConnectionsAck: the key of the connection a keep-alive ACK confirms (never armed: MyMesh does not run
   * checkConnections in v1.17.1). */
  checkAck(ack: number): Uint8Array | undefined {
    const x = this.connections.find((y) => y.keepAliveMs > 0 && y.expectedAck !== 0 && y.expectedAck === ack);
    if (!x) return undefined;
    x.expectedAck = 0;
    x.lastActivity = this.now();
    return x.publicKey;
  }
}
