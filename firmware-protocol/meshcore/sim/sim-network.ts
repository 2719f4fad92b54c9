/**
 * The simulated mesh around the companion device: remote chat nodes and repeaters (sim-remote-node.ts), each the
 * real mesh with a chat application on the simulator's air, placed by hops (a neighbour hears the device; a node
 * further away hears only the simulated repeaters), knowing the device as a contact. It also records what the
 * device put on the air for its users (channel texts, adverts) and tells watchers what a simulated user received.
 */
import { ADV_TYPE } from '../ota/advert-data.js';
import type { SimCompanion } from './sim-companion.js';
import { SimRemoteNode, type HeardChannelMessage, type HeardDirectMessage, type SimNodeInit } from './sim-remote-node.js';
import type { SimWorld } from './sim-world.js';

export type { HeardChannelMessage, HeardDirectMessage, SimNodeInit };

export type SimHeard =
  | { kind: 'channel'; message: HeardChannelMessage; nodes: SimRemoteNode[] }
  | { kind: 'direct'; message: HeardDirectMessage; node: SimRemoteNode };

export class SimNetwork {
  readonly nodes: SimRemoteNode[] = [];
  /** What the device sent on channels (bounded by historyLimit). */
  readonly channelLog: HeardChannelMessage[] = [];
  /** Adverts the device built. */
  readonly adverts: Array<{ timestamp: number }> = [];
  historyLimit = Infinity;
  private readonly listeners = new Set<(h: SimHeard) => void>();

  constructor(private readonly world: SimWorld, readonly device: SimCompanion) {
    device.chat.observer = {
      groupMessageSent: (ch, ts, text) => {
        const message: HeardChannelMessage = { channelName: ch.name, secret: ch.secret.slice(0, 16), text: new TextDecoder().decode(text), senderTimestamp: ts };
        this.channelLog.push(message);
        this.trim(this.channelLog);
        this.emit({ kind: 'channel', message, nodes: this.nodes.filter((n) => n.type === ADV_TYPE.CHAT) });
      },
      advertCreated: (p) => {
        this.adverts.push({ timestamp: new DataView(p.payload.buffer, p.payload.byteOffset).getUint32(32, true) });
        this.trim(this.adverts);
      },
    };
  }

  addNode(init: SimNodeInit): SimRemoteNode {
    const n = new SimRemoteNode(this.world, init, {
      onDirect: (node, message) => {
        this.trim(node.inbox);
        this.emit({ kind: 'direct', message, node });
      },
    });
    const repeaters = this.nodes.filter((x) => x.type === ADV_TYPE.REPEATER && x.hops === 1);
    if (n.hops <= 1 || repeaters.length === 0) this.world.air.link(this.device.radioName, n.name);
    else for (const r of repeaters) this.world.air.link(r.name, n.name);
    n.know(this.device.publicKey, this.device.name);
    for (const other of this.nodes) {
      other.know(n.publicKey, n.name, n.type);
      n.know(other.publicKey, other.name, other.type);
    }
    this.nodes.push(n);
    return n;
  }

  node(name: string): SimRemoteNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new RangeError(`no simulated node named ${name}`);
    return n;
  }

  onHeard(listener: (h: SimHeard) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(h: SimHeard): void {
    for (const l of this.listeners) {
      try {
        l(h);
      } catch {
        // a watcher's failure must not change what the simulated air does
      }
    }
  }

  private trim(log: unknown[]): void {
    if (log.length > this.historyLimit) log.splice(0, log.length - this.historyLimit);
  }

  async stop(): Promise<void> {
    for (const n of this.nodes) await n.stop();
  }
}
