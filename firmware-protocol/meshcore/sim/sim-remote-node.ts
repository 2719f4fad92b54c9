/**
 * A remote node of the simulated mesh: a chat node (ChatMesh, companion/chat-mesh.ts) on its own mesh and radio,
 * with a scripted "user": it advertises, talks on channels, sends DMs to the device, and records what it hears.
 * Its ACKs and PATH returns are the chat mesh's own; `loseAcks` drops the next ones before they reach the air (a
 * lost ACK). Repeater-type nodes advertise as repeaters and forward floods; they never post on channels (repeaters
 * do not).
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../bytes.js';
import { PUBLIC_CHANNEL_SECRET, hashtagChannelSecret } from '../channel-secret.js';
import type { Contact } from '../contact-record.js';
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { identityFromSeed, type LocalIdentity } from '../ota/identity.js';
import { PAYLOAD_TYPE, type McPacket } from '../ota/packet.js';
import { ChatMesh } from '../companion/chat-mesh.js';
import { channelSlotHash } from '../companion/channel-table.js';
import { newContactInfo } from '../companion/contacts-table.js';
import type { SimWorld } from './sim-world.js';
import { SimRoleError } from './errors.js';

export interface SimNodeInit {
  name: string;
  type?: number;
  /** 32-byte seed of its Ed25519 identity (random by default). */
  seed?: Uint8Array;
  /** Hops from the device: 1 = a neighbour; more = behind the simulated repeaters. */
  hops?: number;
}

export interface HeardDirectMessage {
  text: string;
  senderTimestamp: number;
  attempt: number;
  flood: boolean;
  /** Whether this node sent its ACK (false when `loseAcks` ate it). */
  acked: boolean;
}

export interface HeardChannelMessage {
  channelName: string;
  secret: Uint8Array;
  /** As on air: "<sender name>: <text>". */
  text: string;
  senderTimestamp: number;
}

export class SimRemoteNode {
  readonly identity: LocalIdentity;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly name: string;
  readonly type: number;
  readonly hops: number;
  readonly mesh: MeshCoreMesh;
  readonly chat: ChatMesh;
  /** DMs this node's user received. */
  readonly inbox: HeardDirectMessage[] = [];
  /** Channel texts this node heard (chat nodes only). */
  readonly channelHeard: HeardChannelMessage[] = [];
  /** ACKs / PATH returns to drop before they are sent. */
  loseAcks = 0;
  private readonly onDirect: (m: HeardDirectMessage) => void;

  constructor(world: SimWorld, init: SimNodeInit, hooks: { onDirect?: (n: SimRemoteNode, m: HeardDirectMessage) => void } = {}) {
    this.seed = init.seed ?? new Uint8Array(randomBytes(32));
    this.identity = identityFromSeed(this.seed);
    this.publicKey = this.identity.publicKey;
    this.name = init.name;
    this.type = init.type ?? ADV_TYPE.CHAT;
    this.hops = init.hops ?? 1;
    this.onDirect = (m) => hooks.onDirect?.(this, m);
    const real = world.createMesh({ radio: world.air.radio(this.name), identity: this.identity, modulation: world.modulation, clock: world.clock });
    this.mesh = this.lossy(real);
    const repeater = this.type === ADV_TYPE.REPEATER;
    this.chat = new ChatMesh({ mesh: this.mesh, maxContacts: 100, maxChannels: 8 });
    this.chat.channels.set(1, '#test', hashtagChannelSecret('#test'));
    this.chat.app = {
      allowPacketForward: () => repeater,
      onMessageRecv: (_c, rx, ts, text) => {
        const m: HeardDirectMessage = { text: new TextDecoder().decode(text), senderTimestamp: ts, attempt: 0, flood: rx.packet.routeType <= 1, acked: this.loseAcks === 0 };
        this.inbox.push(m);
        this.onDirect(m);
      },
      onChannelMessageRecv: (ch, _rx, ts, text) => {
        if (!repeater) this.channelHeard.push({ channelName: ch.name, secret: ch.secret.slice(), text: new TextDecoder().decode(text), senderTimestamp: ts });
      },
    };
    real.setHandler(this.chat);
    real.start();
  }

  get hex(): string {
    return toHex(this.publicKey);
  }

  /** The mesh as this node's chat mesh sees it: ACK-carrying sends are dropped while loseAcks > 0. */
  private lossy(mesh: MeshCoreMesh): MeshCoreMesh {
    const acky = (p: McPacket) => p.payloadType === PAYLOAD_TYPE.ACK || p.payloadType === PAYLOAD_TYPE.PATH || p.payloadType === PAYLOAD_TYPE.MULTIPART;
    const eat = (p: McPacket): boolean => {
      if (this.loseAcks > 0 && acky(p)) {
        this.loseAcks--;
        return true;
      }
      return false;
    };
    return Object.assign(Object.create(mesh) as MeshCoreMesh, {
      sendFlood: (p: McPacket, o?: Parameters<MeshCoreMesh['sendFlood']>[1]) => void (eat(p) || mesh.sendFlood(p, o)),
      sendDirect: (p: McPacket, path: Parameters<MeshCoreMesh['sendDirect']>[1], d?: number) => void (eat(p) || mesh.sendDirect(p, path, d)),
      sendZeroHop: (p: McPacket, o?: Parameters<MeshCoreMesh['sendZeroHop']>[1]) => void (eat(p) || mesh.sendZeroHop(p, o)),
    });
  }

  /** Knows `publicKey` (as if it had heard that node's advert), so DMs both ways decrypt. */
  know(publicKey: Uint8Array, name: string, type: number = ADV_TYPE.CHAT): void {
    if (!this.chat.contacts.lookup(publicKey)) this.chat.contacts.push(newContactInfo(publicKey, { type, name }));
  }

  /** A signed advert, flooded (or zero-hop). */
  advert(flood = true): void {
    const p = this.chat.createSelfAdvert({ type: this.type, name: this.name });
    if (flood) this.mesh.sendFlood(p);
    else this.mesh.sendZeroHop(p);
  }

  /** A channel text ("<name>: <text>" on air) on Public, a '#hashtag' channel or an explicit secret. */
  sendChannel(channel: { secret: Uint8Array } | string, text: string, options: { senderTimestamp?: number } = {}): boolean {
    if (this.type === ADV_TYPE.REPEATER) throw new SimRoleError(this.name, 'repeaters do not post on channels');
    const secret = typeof channel === 'string' ? (channel === 'Public' ? PUBLIC_CHANNEL_SECRET : hashtagChannelSecret(channel)) : channel.secret;
    const slot = { index: 0, name: typeof channel === 'string' ? channel : '', secret, hash: channelSlotHash(secret) };
    return this.chat.sendGroupMessage(options.senderTimestamp ?? this.chat.rtcNow(), slot, this.name, new TextEncoder().encode(text));
  }

  /** A DM to `to` (the device): flooded until a path is known, then direct, as a chat node does. */
  sendDirect(to: Uint8Array, text: string, options: { senderTimestamp?: number; attempt?: number } = {}): number {
    const c = this.chat.contacts.lookup(to);
    if (!c) throw new SimRoleError(this.name, `does not know ${toHex(to.subarray(0, 6))}`);
    const r = this.chat.sendMessage(c, options.senderTimestamp ?? this.chat.rtcNow(), options.attempt ?? 0, new TextEncoder().encode(text));
    return r?.code ?? 0;
  }

  /** As the device would store this node after hearing its advert (for CMD_ADD_UPDATE_CONTACT). */
  asContact(): Contact {
    return { publicKey: this.publicKey.slice(), type: this.type, flags: 0, outPathLen: 0xff, outPath: new Uint8Array(64), name: this.name, lastAdvert: 0, lat: 0, lon: 0, lastMod: 0 };
  }

  async stop(): Promise<void> {
    await this.mesh.stop();
  }
}
