/**
 * SimNode, a remote node of the simulated mesh: a chat node (ChatMesh, companion/chat-mesh.ts) on its own mesh and radio,
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
import { encodePacket, PAYLOAD_TYPE, ROUTE_TYPE, type McPacket } from '../ota/packet.js';
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
  /** The same, as an identity record. */
  identity?: { seed: Uint8Array };
  /** False: the node hears nothing (see SimNode.reachable). */
  reachable?: boolean;
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

export class SimNode {
  readonly identity: LocalIdentity;
  readonly seed: Uint8Array;
  readonly publicKey: Uint8Array;
  readonly name: string;
  readonly type: number;
  readonly hops: number;
  readonly mesh: MeshCoreMesh;
  private readonly realMesh: MeshCoreMesh;
  readonly chat: ChatMesh;
  /** DMs this node's user received. */
  readonly inbox: HeardDirectMessage[] = [];
  /** Channel texts this node heard (chat nodes only). */
  readonly channelHeard: HeardChannelMessage[] = [];
  /** ACKs / PATH returns to drop before they are sent. */
  loseAcks = 0;
  /** Set by SimMesh: the quality of the link the device hears this node on (the per-message `snr` option). */
  setLinkSnr: ((snrDb: number) => void) | undefined;
  private deaf = false;
  /** Seconds this node's RTC runs ahead, so two adverts in one second still carry increasing timestamps. */
  private rtcSkew = 0;
  private lastAdvertTs = 0;
  private readonly clockSeconds: () => number;
  private readonly onDirect: (m: HeardDirectMessage) => void;

  constructor(world: SimWorld, init: SimNodeInit, hooks: { onDirect?: (n: SimNode, m: HeardDirectMessage) => void } = {}) {
    this.seed = init.seed ?? init.identity?.seed ?? new Uint8Array(randomBytes(32));
    this.identity = identityFromSeed(this.seed);
    this.publicKey = this.identity.publicKey;
    this.name = init.name;
    this.type = init.type ?? ADV_TYPE.CHAT;
    this.hops = init.hops ?? 1;
    this.onDirect = (m) => hooks.onDirect?.(this, m);
    const clock = world.clock;
    this.clockSeconds = () => Math.floor(clock.now() / 1000);
    const real = world.createMesh({
      radio: world.air.radio(this.name), identity: this.identity, modulation: world.modulation, clock,
      rtcSeconds: () => this.clockSeconds() + this.rtcSkew,
    });
    this.realMesh = real;
    this.mesh = this.lossy(real);
    const repeater = this.type === ADV_TYPE.REPEATER;
    this.chat = new ChatMesh({ mesh: this.mesh, maxContacts: 100, maxChannels: 8 });
    this.chat.channels.set(1, '#test', hashtagChannelSecret('#test'));
    this.chat.app = {
      allowPacketForward: () => repeater,
      onMessageRecv: (_c, rx, ts, text, attempt) => {
        const m: HeardDirectMessage = { text: new TextDecoder().decode(text), senderTimestamp: ts, attempt, flood: rx.packet.routeType <= 1, acked: this.loseAcks === 0 };
        this.inbox.push(m);
        this.onDirect(m);
      },
      onChannelMessageRecv: (ch, _rx, ts, text) => {
        if (!repeater) this.channelHeard.push({ channelName: ch.name, secret: ch.secret.slice(), text: new TextDecoder().decode(text), senderTimestamp: ts });
      },
    };
    real.setHandler(this.chat);
    real.start();
    if (init.reachable === false) this.reachable = false;
  }

  /** False: the node hears nothing (out of range, switched off): no DM reaches it, it ACKs nothing. */
  get reachable(): boolean {
    return !this.deaf;
  }

  set reachable(on: boolean) {
    this.deaf = !on;
    this.realMesh.setHandler(on ? this.chat : {});
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

  /** Set by SimMesh: hands an advert to the device at once (see advert()). */
  deliverAdvert: ((raw: Uint8Array) => void) | undefined;

  /**
   * A signed advert, flooded (or zero-hop). The device also gets it at once (as CMD_IMPORT_CONTACT would hand it
   * over: the same onAdvertRecv), so a script can use the contact on its next line; the copy that arrives over the
   * air later is then a duplicate to the device, as an imported advert is to the firmware.
   */
  advert(flood = true): void {
    const now = this.clockSeconds() + this.rtcSkew;
    if (now <= this.lastAdvertTs) this.rtcSkew += this.lastAdvertTs + 1 - now;
    this.lastAdvertTs = this.clockSeconds() + this.rtcSkew;
    const p = this.chat.createSelfAdvert({ type: this.type, name: this.name });
    if (flood) this.mesh.sendFlood(p);
    else this.mesh.sendZeroHop(p);
    this.deliverAdvert?.(encodePacket({ ...p, routeType: ROUTE_TYPE.FLOOD }));
  }

  /** A channel text ("<name>: <text>" on air) on Public, a '#hashtag' channel or an explicit secret. */
  sendChannel(channel: { secret: Uint8Array } | string, text: string, options: { senderTimestamp?: number; snr?: number } = {}): boolean {
    if (this.type === ADV_TYPE.REPEATER) throw new SimRoleError(this.name, 'repeaters do not post on channels');
    if (options.snr !== undefined) this.setLinkSnr?.(options.snr);
    const secret = typeof channel === 'string' ? (channel === 'Public' ? PUBLIC_CHANNEL_SECRET : hashtagChannelSecret(channel)) : channel.secret;
    const slot = { index: 0, name: typeof channel === 'string' ? channel : '', secret, hash: channelSlotHash(secret) };
    return this.chat.sendGroupMessage(options.senderTimestamp ?? this.chat.rtcNow(), slot, this.name, new TextEncoder().encode(text));
  }

  /** The node its DMs go to by default (the simulated device; set by SimMesh). */
  peer: Uint8Array | undefined;

  /**
   * A DM (to the device unless `to` says otherwise): flooded until a path is known, then direct, as a chat node
   * does. False when this node does not know the recipient.
   */
  sendDirect(text: string, options: { senderTimestamp?: number; attempt?: number; to?: Uint8Array; snr?: number } = {}): boolean {
    const to = options.to ?? this.peer;
    if (options.snr !== undefined) this.setLinkSnr?.(options.snr);
    const c = to && this.chat.contacts.lookup(to);
    if (!c) return false;
    return this.chat.sendMessage(c, options.senderTimestamp ?? this.chat.rtcNow(), options.attempt ?? 0, new TextEncoder().encode(text)) !== undefined;
  }

  /** As the device would store this node after hearing its advert (for CMD_ADD_UPDATE_CONTACT). */
  asContact(): Contact {
    return { publicKey: this.publicKey.slice(), type: this.type, flags: 0, outPathLen: 0xff, outPath: new Uint8Array(64), name: this.name, lastAdvert: 0, lat: 0, lon: 0, lastMod: 0 };
  }

  async stop(): Promise<void> {
    await this.mesh.stop();
  }
}
