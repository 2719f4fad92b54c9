/**
 * A small simulated mesh around one SimDevice: remote nodes with real Ed25519 keys and names that advertise, talk
 * on channels, send DMs and acknowledge the device's DMs (or lose the ACK, on demand). Delivery timing is driven by
 * timers so tests observe the same asynchrony a real mesh has.
 */
import { ADV_TYPE } from '../codes.js';
import type { ChannelInfo } from '../device-frames.js';
import type { Contact } from '../contact-record.js';
import { encodeUtf8, toHex } from '../bytes.js';
import { hashtagChannelSecret, PUBLIC_CHANNEL_SECRET } from '../channel-secret.js';
import type { SimAir, SimDevice } from './sim-device.js';
import { expectedAck } from './sim-state.js';
import { advertPacket, grpTxtPacket, newSimIdentity, txtMsgPacket, type SimIdentity } from './sim-air-packets.js';

export interface SimNodeInit {
  name: string;
  type?: number;
  identity?: SimIdentity;
  /** Hops from the device (flood path length of what it sends). */
  hops?: number;
  /** Whether the node hears the device's DMs at all. */
  reachable?: boolean;
}

export interface HeardChannelMessage {
  channelName: string;
  secret: Uint8Array;
  /** As on air: "<device name>: <text>". */
  text: string;
  senderTimestamp: number;
}

export interface HeardDirectMessage {
  text: string;
  senderTimestamp: number;
  attempt: number;
  flood: boolean;
  acked: boolean;
}

export class SimNode {
  readonly identity: SimIdentity;
  readonly publicKey: Uint8Array;
  readonly name: string;
  readonly type: number;
  hops: number;
  reachable: boolean;
  /** ACKs to drop before acknowledging again (lost ACK on the air). */
  loseAcks = 0;
  readonly inbox: HeardDirectMessage[] = [];
  private advertTs = 0;

  constructor(private readonly mesh: SimMesh, init: SimNodeInit) {
    this.identity = init.identity ?? newSimIdentity();
    this.publicKey = this.identity.publicKey;
    this.name = init.name;
    this.type = init.type ?? ADV_TYPE.CHAT;
    this.hops = init.hops ?? 1;
    this.reachable = init.reachable ?? true;
  }

  get hex(): string {
    return toHex(this.publicKey);
  }

  /** Sends an advert the device hears (ts strictly increasing, as the sender's RTC would make it). */
  advert(): void {
    this.advertTs = Math.max(this.advertTs + 1, Math.floor(Date.now() / 1000));
    this.mesh.device.receiveAdvert(
      { publicKey: this.publicKey, name: this.name, type: this.type, timestamp: this.advertTs, hops: this.hops },
      advertPacket(this.identity, this.advertTs, this.type, this.name, this.hops),
    );
  }

  /** As the device would store this node after hearing its advert (for CMD_ADD_UPDATE_CONTACT). */
  asContact(): Contact {
    return {
      publicKey: this.publicKey.slice(), type: this.type, flags: 0, outPathLen: 0xff, outPath: new Uint8Array(64),
      name: this.name, lastAdvert: this.advertTs, lat: 0, lon: 0, lastMod: 0,
    };
  }

  /** A channel message ("<name>: <text>" on air). Resolves whether the device took it. */
  sendChannel(channel: { secret: Uint8Array } | string, text: string, options: { senderTimestamp?: number; snr?: number } = {}): boolean {
    const secret = typeof channel === 'string' ? (channel === 'Public' ? PUBLIC_CHANNEL_SECRET : hashtagChannelSecret(channel)) : channel.secret;
    const ts = options.senderTimestamp ?? Math.floor(Date.now() / 1000);
    const full = `${this.name}: ${text}`;
    return this.mesh.device.receiveChannel({
      secret, text: full, senderTimestamp: ts, snr: options.snr ?? 6.25, hops: this.hops, raw: grpTxtPacket(secret, ts, full, this.hops),
    });
  }

  /** A DM to the device. Returns false when the device dropped it (sender not in its contacts). */
  sendDirect(text: string, options: { senderTimestamp?: number; snr?: number; flood?: boolean } = {}): boolean {
    const ts = options.senderTimestamp ?? Math.floor(Date.now() / 1000);
    const flood = options.flood ?? true;
    return this.mesh.device.receiveDirect({
      from: this.publicKey, text, senderTimestamp: ts, snr: options.snr ?? 5.5, hops: this.hops, flood,
      raw: txtMsgPacket(this.identity, this.mesh.device.publicKey, ts, 0, text, this.hops, flood),
    });
  }
}

/** What the simulated users heard from the device: a channel message (a flooded GRP_TXT reaches every reachable
 * node; the chat nodes among them show it to their user, repeaters only relay it) or a DM to one node. */
export type SimHeard =
  | { kind: 'channel'; message: HeardChannelMessage; nodes: SimNode[] }
  | { kind: 'direct'; message: HeardDirectMessage; node: SimNode };

export class SimMesh implements SimAir {
  readonly nodes: SimNode[] = [];
  /** What the device sent on channels; with the node inboxes and adverts, only the newest `historyLimit` are kept. */
  readonly channelLog: HeardChannelMessage[] = [];
  readonly adverts: Array<{ flood: boolean }> = [];
  /** Bound on the logs for long runs (`lattice run`'s simulated default); unbounded by default for tests. */
  historyLimit = Infinity;
  private readonly listeners = new Set<(h: SimHeard) => void>();
  /** Delay before a node's ACK reaches the device (TXT_ACK_DELAY is 200 ms in the firmware, plus airtime). */
  ackDelayMs = 30;
  private timers = new Set<NodeJS.Timeout>();

  constructor(readonly device: SimDevice) {
    device.air = this;
  }

  addNode(init: SimNodeInit): SimNode {
    const n = new SimNode(this, init);
    this.nodes.push(n);
    return n;
  }

  node(name: string): SimNode {
    const n = this.nodes.find((x) => x.name === name);
    if (!n) throw new RangeError(`no simulated node named ${name}`);
    return n;
  }

  directMessage(from: SimDevice, m: { to: Contact; text: string; senderTimestamp: number; attempt: number; ack: number; flood: boolean }): void {
    const node = this.nodes.find((n) => toHex(n.publicKey) === toHex(m.to.publicKey));
    if (!node || !node.reachable) return;
    // The recipient computes the ACK from the plaintext and the sender's key (BaseChatMesh::onPeerDataRecv).
    const ack = expectedAck(m.senderTimestamp, m.attempt, encodeUtf8(m.text), from.publicKey);
    const heard: HeardDirectMessage = { text: m.text, senderTimestamp: m.senderTimestamp, attempt: m.attempt, flood: m.flood, acked: false };
    node.inbox.push(heard);
    this.trim(node.inbox);
    this.emit({ kind: 'direct', message: heard, node });
    if (node.loseAcks > 0) {
      node.loseAcks--;
      return;
    }
    this.later(() => {
      heard.acked = from.receiveAck(ack, m.flood ? { pathHops: node.hops } : {});
    }, this.ackDelayMs);
  }

  channelMessage(_from: SimDevice, m: { channel: ChannelInfo; text: string; senderTimestamp: number }): void {
    const message: HeardChannelMessage = { channelName: m.channel.name, secret: m.channel.secret.slice(), text: m.text, senderTimestamp: m.senderTimestamp };
    this.channelLog.push(message);
    this.trim(this.channelLog);
    this.emit({ kind: 'channel', message, nodes: this.nodes.filter((n) => n.reachable && n.type === ADV_TYPE.CHAT) });
  }

  advert(_from: SimDevice, m: { flood: boolean }): void {
    this.adverts.push(m);
    this.trim(this.adverts);
  }

  /** Calls `listener` with each message of the device a simulated user received (what that user now sees). */
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

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
