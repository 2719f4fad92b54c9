/**
 * The firmware's PacketCipher: Router::perhapsDecode and Router::perhapsEncode (src/mesh/Router.cpp, 2.7.26) over
 * a channel table and a key pair. Everything derivable is derived once: channel keys and hashes per table
 * (compileChannelTable), our X25519 private KeyObject, and each peer's PKI key (SHA-256 of the X25519 secret)
 * cached against the peer's public key. The receive path is then one byte compare, one AES pass and one protobuf
 * parse per candidate channel. Build a new cipher when the channel table or our key pair changes.
 *
 * What is NOT here because the firmware does it elsewhere: the KNOWN_ONLY rebroadcast filter at the top of
 * perhapsDecode (a router policy, ../mesh/), setting `from`, `relay_node` and `hop_start` (Router::send), and the
 * NAK/NodeInfo reply to a PKI packet we could not open (ReliableRouter / Router::handleReceived).
 */
import { Channel, Mesh, Portnums } from '@meshtastic/protobufs';
import type { KeyObject } from 'node:crypto';
import { channelCrypt } from './channel-crypto.js';
import { channelName, compileChannelTable, type ChannelLoraConfig, type ChannelTable } from './channel-keys.js';
import { decodeData, encodeData } from './data-codec.js';
import { MeshtasticPacketShapeError } from './errors.js';
import { NODENUM_BROADCAST, NODENUM_BROADCAST_NO_LORA } from './node-num.js';
import { MAX_LORA_PAYLOAD_LEN, MESHTASTIC_HEADER_LENGTH, MESHTASTIC_PKC_OVERHEAD } from './ota-frame.js';
import { cryptoRandomUint32, type RandomUint32 } from './packet-id.js';
import type { DecodeFailure, DecodeResult, EncodeResult, PacketCipher } from './packet-cipher.js';
import { pkiDecrypt, pkiEncrypt, pkiSharedKey, x25519PrivateKeyObject } from './pki-crypto.js';

/** Router.h: Data.bitfield bits the originator sets. */
export const BITFIELD_OK_TO_MQTT_MASK = 1 << 0;
export const BITFIELD_WANT_RESPONSE_MASK = 1 << 1;

/** Channels::serialChannel / gpioChannel: channels that never go PKI unless the client asks. */
const NO_PKI_CHANNEL_NAMES = new Set(['serial', 'gpio']);
/** perhapsEncode: "Some portnums either make no sense to send with PKC". */
const NO_PKI_PORTNUMS = new Set<number>([
  Portnums.PortNum.TRACEROUTE_APP,
  Portnums.PortNum.NODEINFO_APP,
  Portnums.PortNum.ROUTING_APP,
  Portnums.PortNum.POSITION_APP,
]);
/** Router.cpp `static uint8_t bytes[MAX_LORA_PAYLOAD_LEN + 1]`: larger is DECODE_FATAL. */
const MAX_RAW_SIZE = MAX_LORA_PAYLOAD_LEN + 1;
/** Bound on cached PKI keys; a node DB holds a few hundred nodes. */
const PKI_CACHE_MAX = 1024;

export interface PacketCipherOptions {
  /** The official channel table (Channel.Channel with index, settings.name, settings.psk, role), as the device
   * side holds it. */
  channels: readonly Channel.Channel[];
  /** Our node number (isToUs / isFromUs). */
  ownNodeNum: number;
  /** config.security.private_key: 32 bytes, or absent/empty for a node without PKI. */
  privateKey?: Uint8Array;
  /** The node DB's `user.public_key` of a node, if known. */
  publicKeyOf: (nodeNum: number) => Uint8Array | undefined;
  /** config.lora: preset name for empty channel names, and `config_ok_to_mqtt` for our own packets' bitfield. */
  lora?: ChannelLoraConfig;
  /** owner.is_licensed (ham mode): no PKI, and channel DMs are accepted. */
  isLicensed?: boolean;
  /** extraNonce source for PKI (the firmware's `random()`). */
  random?: RandomUint32;
}

function sameKey(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function isBroadcast(to: number): boolean {
  return to === NODENUM_BROADCAST || to === NODENUM_BROADCAST_NO_LORA;
}

export function createPacketCipher(options: PacketCipherOptions): PacketCipher {
  const ownNodeNum = options.ownNodeNum >>> 0;
  const lora = options.lora ?? {};
  const okToMqtt = lora.configOkToMqtt === true;
  const isLicensed = options.isLicensed === true;
  const random = options.random ?? cryptoRandomUint32;
  const table: ChannelTable = compileChannelTable(options.channels, lora);
  const privateKey: KeyObject | undefined =
    options.privateKey !== undefined && options.privateKey.length > 0 ? x25519PrivateKeyObject(options.privateKey) : undefined;
  const pkiCache = new Map<number, { publicKey: Uint8Array; key: Uint8Array | null }>();

  /** The PKI key shared with `node` whose public key is `publicKey`; null for a weak key. */
  function pkiKeyFor(node: number, publicKey: Uint8Array): Uint8Array | null {
    const cached = pkiCache.get(node);
    if (cached !== undefined && sameKey(cached.publicKey, publicKey)) return cached.key;
    const key = pkiSharedKey(privateKey!, publicKey);
    if (pkiCache.size >= PKI_CACHE_MAX) pkiCache.delete(pkiCache.keys().next().value!);
    pkiCache.set(node, { publicKey: Uint8Array.from(publicKey), key });
    return key;
  }

  function knownPublicKey(node: number): Uint8Array | undefined {
    const key = options.publicKeyOf(node);
    return key !== undefined && key.length === 32 ? key : undefined;
  }

  function decoded(packet: Mesh.MeshPacket, data: Mesh.Data, channel: number, pki?: Uint8Array): DecodeResult {
    // perhapsDecode: "if (p->decoded.has_bitfield) p->decoded.want_response |= bitfield & WANT_RESPONSE"
    if (data.bitfield !== undefined && (data.bitfield & BITFIELD_WANT_RESPONSE_MASK) !== 0) data.wantResponse = true;
    const out: Mesh.MeshPacket = { ...packet, channel, payloadVariant: { case: 'decoded', value: data } };
    if (pki !== undefined) {
      out.pkiEncrypted = true;
      out.publicKey = Uint8Array.from(pki);
    }
    return { ok: true, packet: out };
  }

  function decrypt(packet: Mesh.MeshPacket): DecodeResult {
    if (packet.payloadVariant.case === 'decoded') return { ok: true, packet };
    if (packet.payloadVariant.case !== 'encrypted') return { ok: false, reason: 'undecryptable' };
    const raw = packet.payloadVariant.value;
    if (raw.length > MAX_RAW_SIZE) return { ok: false, reason: 'undecryptable' };
    const from = packet.from >>> 0;
    const to = packet.to >>> 0;
    const toUs = to === ownNodeNum;
    let pkiFailure: DecodeFailure | undefined;

    // "Attempt PKI decryption first": hash 0, to us (not broadcast), both keys known, room for tag + extraNonce.
    if (packet.channel === 0 && toUs && to > 0 && !isBroadcast(to) && privateKey !== undefined && raw.length > MESHTASTIC_PKC_OVERHEAD) {
      const senderKey = knownPublicKey(from);
      if (senderKey === undefined) {
        pkiFailure = 'pki-unknown-key';
      } else {
        const shared = pkiKeyFor(from, senderKey);
        const plain = shared === null ? null : pkiDecrypt(shared, from, packet.id, raw);
        if (plain === null) {
          pkiFailure = 'pki-bad-tag';
        } else {
          const data = decodeData(plain);
          // "PKC Decrypted, but pb_decode failed!": no channel attempt after this
          if (data === null || data.portnum === Portnums.PortNum.UNKNOWN_APP) return { ok: false, reason: 'undecryptable' };
          return decoded(packet, data, 0, senderKey);
        }
      }
    }

    let matched = false;
    for (const ch of table) {
      if (ch === undefined || ch.hash !== packet.channel) continue;
      matched = true;
      const data = decodeData(channelCrypt(ch.key, from, packet.id, raw));
      if (data === null || data.portnum === Portnums.PortNum.UNKNOWN_APP) continue; // "bad psk?"
      if (!isLicensed && toUs && data.portnum === Portnums.PortNum.TEXT_MESSAGE_APP) return { ok: false, reason: 'legacy-dm' };
      return decoded(packet, data, ch.index);
    }
    return { ok: false, reason: pkiFailure ?? (matched ? 'undecryptable' : 'no-channel') };
  }

  function encrypt(packet: Mesh.MeshPacket): EncodeResult {
    if (packet.payloadVariant.case === 'encrypted') return { ok: true, packet };
    if (packet.payloadVariant.case !== 'decoded') throw new MeshtasticPacketShapeError(packet.id);
    const from = packet.from >>> 0;
    const fromUs = from === 0 || from === ownNodeNum;
    let data = packet.payloadVariant.value;
    if (fromUs) {
      // The originator's bits, set by perhapsEncode itself for packets from us (config.lora.config_ok_to_mqtt).
      data = { ...data, bitfield: (data.bitfield ?? 0) | (okToMqtt ? BITFIELD_OK_TO_MQTT_MASK : 0) | (data.wantResponse ? BITFIELD_WANT_RESPONSE_MASK : 0) };
    }
    const plain = encodeData(data);
    if (plain.length + MESHTASTIC_HEADER_LENGTH > MAX_LORA_PAYLOAD_LEN) return { ok: false, reason: 'too-large' };

    const to = packet.to >>> 0;
    const chIndex = packet.channel;
    const channel = table[chIndex];
    const name = (channel?.name ?? channelName('', lora)).toLowerCase();
    // getFrom(p): the nonce uses our number for from 0. Router::send has already written it into `from` by the time
    // the firmware encrypts; we write it too, or a from-0 packet would leave with a nonce its receivers cannot rebuild.
    const sender = fromUs ? ownNodeNum : from;
    const goesPki =
      fromUs &&
      !isLicensed &&
      !(packet.pkiEncrypted !== true && NO_PKI_CHANNEL_NAMES.has(name)) &&
      privateKey !== undefined &&
      !isBroadcast(to) &&
      !NO_PKI_PORTNUMS.has(data.portnum);
    if (goesPki) {
      if (plain.length + MESHTASTIC_HEADER_LENGTH + MESHTASTIC_PKC_OVERHEAD > MAX_LORA_PAYLOAD_LEN) return { ok: false, reason: 'too-large' };
      const recipientKey = knownPublicKey(to);
      if (recipientKey === undefined) return { ok: false, reason: 'pki-no-public-key' };
      if (packet.pkiEncrypted && packet.publicKey.some((b) => b !== 0)) {
        const requested = new Uint8Array(32);
        requested.set(packet.publicKey.subarray(0, 32));
        if (!sameKey(requested, recipientKey)) return { ok: false, reason: 'pki-failed' };
      }
      const shared = pkiKeyFor(to, recipientKey);
      // encryptCurve25519 returns false on a weak key; perhapsEncode ignores that and sends garbage. We refuse.
      if (shared === null) return { ok: false, reason: 'pki-failed' };
      const extraNonce = random() & 0x7fffffff; // random(): 0..RAND_MAX
      const payload = pkiEncrypt(shared, sender, packet.id, extraNonce, plain);
      return { ok: true, packet: { ...packet, from: sender, channel: 0, pkiEncrypted: true, payloadVariant: { case: 'encrypted', value: payload } } };
    }
    if (packet.pkiEncrypted) return { ok: false, reason: 'pki-failed' };
    if (channel === undefined) return { ok: false, reason: 'no-channel' };
    const payload = channelCrypt(channel.key, sender, packet.id, plain);
    return { ok: true, packet: { ...packet, from: sender, channel: channel.hash, payloadVariant: { case: 'encrypted', value: payload } } };
  }

  return { decrypt, encrypt };
}
