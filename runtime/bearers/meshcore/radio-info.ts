/**
 * The typed view of a MeshCore companion radio (runtime/bearer/radio-gateway.ts RadioInfo) from what its session
 * learned in the handshake: SELF_INFO (identity, radio parameters, TX power), DEVICE_INFO (firmware), the channel
 * slots and the contacts.
 */
import type { MeshCoreSession } from '../../../firmware-protocol/meshcore/client-session.js';
import { ADV_TYPE, OUT_PATH_UNKNOWN } from '../../../firmware-protocol/meshcore/codes.js';
import { toHex } from '../../../firmware-protocol/meshcore/bytes.js';
import { isEmptyChannel } from '../../../firmware-protocol/meshcore/device-frames.js';
import type { RadioChannel, RadioModulation, RadioNode, RadioSelf } from '../../bearer/radio-gateway.js';
import { channelPeer, contactPeer } from './peer-address.js';

const ROLES: Record<number, string> = { [ADV_TYPE.CHAT]: 'chat', [ADV_TYPE.REPEATER]: 'repeater', [ADV_TYPE.ROOM]: 'room', [ADV_TYPE.SENSOR]: 'sensor' };

export function selfOf(s: MeshCoreSession): RadioSelf | undefined {
  const me = s.selfInfo;
  if (!me) return undefined;
  const key = toHex(me.publicKey);
  const d = s.deviceInfo;
  return {
    address: contactPeer(key), name: me.name, publicKey: key,
    ...(ROLES[me.advType] ? { role: ROLES[me.advType] } : {}),
    ...(d?.firmwareVersion ? { firmware: d.firmwareVersion } : {}),
    ...(d?.manufacturer ? { hardware: d.manufacturer } : {}),
  };
}

/** SELF_INFO's radio fields. The preamble is not in the companion protocol, so it is left out. */
export function modulationOf(s: MeshCoreSession): RadioModulation | undefined {
  const me = s.selfInfo;
  if (!me) return undefined;
  return {
    frequencyHz: me.radio.freqKhz * 1000, bandwidthHz: me.radio.bwHz, spreadingFactor: me.radio.sf, codingRate: me.radio.cr,
    txPowerDbm: me.txPower,
  };
}

/** Every slot the radio reported; a slot with neither name nor key is not usable. */
export function channelsOf(s: MeshCoreSession): RadioChannel[] {
  return s.channels.map((c) => ({ index: c.index, name: c.name, address: channelPeer(c.index), usable: !isEmptyChannel(c) }));
}

export function nodesOf(s: MeshCoreSession): RadioNode[] {
  return [...s.contacts.values()].map((c) => {
    const key = toHex(c.publicKey);
    return {
      address: contactPeer(key), publicKey: key,
      ...(c.name ? { name: c.name } : {}),
      // The sender's clock in its last advert (what the apps show as last heard); 0 = never.
      ...(c.lastAdvert > 0 ? { lastHeard: c.lastAdvert * 1000 } : {}),
      ...(c.outPathLen !== OUT_PATH_UNKNOWN ? { hops: c.outPathLen & 0x3f } : {}),
    };
  });
}
