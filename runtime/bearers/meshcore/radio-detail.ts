/** What status() and the API show about the radio: firmware, identity, radio parameters, contacts, channels. */
import type { MeshCoreSession } from '../../../firmware-protocol/meshcore/client-session.js';
import { toHex } from '../../../firmware-protocol/meshcore/bytes.js';
import { channelPeer, contactPeer } from './peer-address.js';

export function radioDetail(s: MeshCoreSession | null): Record<string, unknown> {
  const d = s?.deviceInfo;
  const self = s?.selfInfo;
  return {
    firmware: d ? { verCode: d.firmwareVerCode, version: d.firmwareVersion, buildDate: d.buildDate, manufacturer: d.manufacturer } : undefined,
    publicKey: self ? toHex(self.publicKey) : undefined,
    name: self?.name,
    radio: self ? {
      freqMHz: self.radio.freqKhz / 1000, bwKHz: self.radio.bwHz / 1000, sf: self.radio.sf, cr: self.radio.cr,
      txPowerDbm: self.txPower, maxTxPowerDbm: self.maxTxPower,
    } : undefined,
    contacts: s ? [...s.contacts.values()].map((c) => ({
      id: contactPeer(toHex(c.publicKey)), name: c.name, type: c.type, pathLen: c.outPathLen === 0xff ? null : c.outPathLen & 0x3f,
    })) : [],
    channels: s ? s.usableChannels().map((c) => ({ id: channelPeer(c.index), name: c.name })) : [],
    frames: s ? { ...s.stats } : undefined,
  };
}
