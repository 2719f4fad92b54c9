/**
 * SimMesh, the simulated mesh around the companion device: remote chat nodes and repeaters (sim-node.ts), each the
 * real mesh with a chat application on the simulator's air, placed by hops (a neighbour hears the device; a node
 * further away hears only the simulated repeaters), knowing the device as a contact. It also records what the
 * device put on the air for its users (channel texts, adverts) and tells watchers what a simulated user received.
 */
import { ADV_TYPE } from '../ota/advert-data.js';
import type { SimDevice } from './sim-device.js';
import { SimNode, type HeardChannelMessage, type HeardDirectMessage, type SimNodeInit } from './sim-node.js';

export { SimNode };
export type { HeardChannelMessage, HeardDirectMessage, SimNodeInit };

export type SimHeard =
  | { kind: 'channel'; message: HeardChannelMessage; nodes: SimNode[] }
  | { kind: 'direct'; message: HeardDirectMessage; node: SimNode };

export class SimMesh {
  readonly nodes: SimNode[] = [];
  /** What the device sent on channels (bounded by historyLimit). */
  readonly channelLog: HeardChannelMessage[] = [];
  /** Adverts the device built. */
  readonly adverts: Array<{ timestamp: number }> = [];
  historyLimit = Infinity;
  /** Hidden relays that give far nodes their hop count. */
  private readonly relays: SimNode[] = [];
  private readonly listeners = new Set<(h: SimHeard) => void>();

  constructor(readonly device: SimDevice) {
    device.chat.observer = {
      groupMessageSent: (ch, ts, text) => {
        const message: HeardChannelMessage = { channelName: ch.name, secret: ch.secret.slice(0, 16), text: new TextDecoder().decode(text), senderTimestamp: ts };
        this.channelLog.push(message);
        this.trim(this.channelLog);
        this.emit({ kind: 'channel', message, nodes: this.nodes.filter((n) => n.type === ADV_TYPE.CHAT && n.reachable) });
      },
      advertCreated: (p) => {
        this.adverts.push({ timestamp: new DataView(p.payload.buffer, p.payload.byteOffset).getUint32(32, true) });
        this.trim(this.adverts);
      },
    };
  }

  addNode(init: SimNodeInit): SimNode {
    const n = new SimNode(this.device.world, init, {
      onDirect: (node, message) => {
        this.trim(node.inbox);
        this.emit({ kind: 'direct', message, node });
      },
    });
    this.place(n);
    n.know(this.device.publicKey, this.device.name);
    n.peer = this.device.publicKey;
    n.deliverAdvert = (raw) => {
      if (!this.device.isOff) this.device.chat.importContact(raw);
    };
    for (const other of this.nodes) {
      other.know(n.publicKey, n.name, n.type);
      n.know(other.publicKey, other.name, other.type);
    }
    this.nodes.push(n);
    return n;
  }

  /**
   * Puts `n` on the air `hops` radio hops from the device (path length hops − 1): a neighbour hears the device;
   * further nodes sit behind a chain of relays: the first a simulated repeater one hop out when there is one, the
   * rest hidden relays (repeater nodes that forward and are not listed in `nodes`).
   */
  private place(n: SimNode): void {
    const air = this.device.world.air;
    const dev = this.device.radioName;
    if (n.hops <= 1) {
      air.link(dev, n.name);
      n.setLinkSnr = (snrDb) => void air.link(dev, n.name, { snrDb });
      return;
    }
    const first = this.nodes.find((x) => x.type === ADV_TYPE.REPEATER && x.hops <= 1) ?? this.relay(`${n.name} relay 1`, dev);
    let prev = first;
    for (let i = 2; i < n.hops; i++) prev = this.relay(`${n.name} relay ${i}`, prev.name);
    air.link(prev.name, n.name);
    n.setLinkSnr = (snrDb) => void air.link(dev, first.name, { snrDb });
  }

  /** A hidden relay linked to `to`. */
  private relay(name: string, to: string): SimNode {
    const r = new SimNode(this.device.world, { name, type: ADV_TYPE.REPEATER, hops: 1 });
    this.device.world.air.link(to, name);
    this.relays.push(r);
    return r;
  }

  node(name: string): SimNode {
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
    for (const n of [...this.nodes, ...this.relays]) await n.stop();
  }
}
