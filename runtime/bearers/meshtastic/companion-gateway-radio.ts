/**
 * A companion Meshtastic radio (USB/BLE/TCP, through the firmware's phone API) as the radio of an MQTT gateway
 * (runtime/bearers/mqtt/meshtastic/gateway-radio.ts). What the phone API gives us is what differs from a native node:
 * - FromRadio packets arrive decoded (the radio decrypted them before PhoneAPI handed them over); the encrypted packet
 *   as heard, which the radio's own MQTT.cpp would uplink, never reaches us. So the gateway may only uplink them as
 *   decrypted envelopes (`decryptedUplink: true`), which it refuses to start without (`decodedOnly`).
 * - Downlink has only the phone's send path: a ToRadio packet is originated by the radio (MeshService::handleToRadio
 *   gives it our node number), so a downlinked packet is re-sent by the radio with one hop used, as a firmware
 *   rebroadcast would be, but from us; an encrypted one cannot be sent this way and is refused.
 * - The node number, channels and own position are known once the handshake is done (`whenReady`).
 * - Our own packets never come back through the phone API, so no implicit ACK is ever due from the broker here.
 */
import { Config, Mesh } from '@meshtastic/protobufs';
import type { TapListener } from '../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';
import type { MeshtasticSession, DeviceInfo } from '../../../firmware-protocol/meshtastic/session.js';
import type { DownlinkRefusal, MeshtasticGatewayRadio } from '../mqtt/meshtastic/gateway-radio.js';

/** The bearer's side: the listeners of the radio's FromRadio packets and the waiters for its handshake. */
export class CompanionGatewayTap {
  private readonly listeners = new Set<TapListener>();
  private waiters: Array<() => void> = [];
  private isUp = false;

  /** A FromRadio packet (decoded by the radio), as a packet handled as received. */
  packet(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded') return;
    for (const l of this.listeners) {
      try {
        l({ encrypted: p, decoded: p, ok: true, source: 'received' });
      } catch {
        // a listener that throws stops neither the others nor the radio (gateway-tap.ts)
      }
    }
  }

  on(l: TapListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  up(): void {
    this.isUp = true;
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves once the radio's handshake is done; rejects when `signal` aborts first. */
  whenUp(signal?: AbortSignal): Promise<void> {
    if (this.isUp) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = () => {
        signal?.removeEventListener('abort', abort);
        resolve();
      };
      const abort = () => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(signal!.reason);
      };
      if (signal?.aborted) return reject(signal.reason);
      signal?.addEventListener('abort', abort, { once: true });
      this.waiters.push(done);
    });
  }
}

export interface CompanionAccess {
  session(): MeshtasticSession | undefined;
  info(): DeviceInfo | undefined;
  tap: CompanionGatewayTap;
  now(): number;
}

const num = <T extends Record<string, string | number>>(e: T, name: string | undefined): number => (name !== undefined && typeof e[name] === 'number' ? (e[name] as number) : 0);

export function companionGatewayRadio(a: CompanionAccess): MeshtasticGatewayRadio {
  return {
    decodedOnly: true,
    get nodeNum() {
      return a.info()?.myNodeNum ?? 0;
    },
    get region() {
      return a.info()?.region ?? 'UNSET';
    },
    whenReady: (signal) => a.tap.whenUp(signal),
    channels: () => (a.info()?.channels ?? []).map((c) => ({ index: c.index, name: c.name })),
    onTapped: (l) => a.tap.on(l),
    injectReceived: (p): DownlinkRefusal | void => {
      const s = a.session();
      if (!s) return 'radio-down';
      if (p.payloadVariant.case !== 'decoded') return 'encrypted-companion';
      // Router::handleReceived on a downlink rebroadcasts only while hops are left; the radio re-sends it for us.
      if (p.hopLimit === 0) return 'no-hops-left';
      const d = p.payloadVariant.value;
      s.sendData({
        to: p.to === 0xffffffff ? 'broadcast' : p.to, channel: p.channel, portnum: d.portnum, payload: d.payload, hopLimit: p.hopLimit - 1, wantAck: false,
      }).catch(() => undefined); // refused sends are counted by the bearer's session (NAKs, link down)
    },
    implicitAck: () => undefined,
    knowsUser: (n) => a.session()?.nodes.get(n)?.longName !== undefined || a.session()?.nodes.get(n)?.publicKey !== undefined,
    mapReport: () => {
      const i = a.info();
      const s = a.session();
      const self = i ? s?.nodes.get(i.myNodeNum) : undefined;
      const since = Math.floor(a.now() / 1000) - 2 * 3600;
      return {
        longName: i?.longName ?? '',
        shortName: i?.shortName ?? '',
        role: num(Config.Config_DeviceConfig_Role, i?.role),
        hwModel: num(Mesh.HardwareModel, i?.hwModel),
        firmwareVersion: i?.firmwareVersion ?? '',
        region: num(Config.Config_LoRaConfig_RegionCode, i?.region),
        modemPreset: num(Config.Config_LoRaConfig_ModemPreset, i?.modemPreset),
        // ChannelInfo has no key: the primary under the preset's own name is taken as the default channel.
        hasDefaultChannel: (i?.channels ?? []).some((c) => c.index === 0 && c.name.replace(/\s/g, '').toLowerCase() === (i?.modemPreset ?? '').replace(/_/g, '').toLowerCase()),
        // The radio's own NodeInfo carries its position (GPS or fixed) as it shows it to clients.
        ...(self?.latitude !== undefined && self.longitude !== undefined
          ? { position: { latitudeI: Math.round(self.latitude * 1e7), longitudeI: Math.round(self.longitude * 1e7), altitude: self.altitude ?? 0 } }
          : {}),
        numOnlineLocalNodes: (s?.nodes.all() ?? []).filter((n) => n.num !== i?.myNodeNum && (n.lastHeard ?? 0) >= since).length,
      };
    },
  };
}
