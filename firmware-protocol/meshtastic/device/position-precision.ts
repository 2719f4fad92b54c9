/**
 * How precisely a channel shares our position (firmware src/mesh/PositionPrecision.cpp getPositionPrecisionForChannel,
 * src/mesh/Channels.cpp channelFileUsesPublicKey): the channel's module_settings.position_precision (0 = no position
 * on this channel, also when it has no module settings: "fail closed"), at most 15 bits on a channel whose key is
 * public (no key, a one-byte key alias, or the default key), none on a disabled channel.
 */
import { Channel } from '@meshtastic/protobufs';
import { DEFAULT_PSK } from '../ota/channel-keys.js';

/** PositionPrecision.h MAX_POSITION_PRECISION_PUBLIC_KEY */
export const MAX_POSITION_PRECISION_PUBLIC_KEY = 15;

export function channelUsesPublicKey(channels: readonly Channel.Channel[], index: number): boolean {
  const ch = channels[index];
  if (!ch || !ch.settings || ch.role === Channel.Channel_Role.DISABLED) return false;
  const psk = ch.settings.psk;
  if (psk.length === 0) {
    // "Secondary channels inherit the primary key when unset; primary size==0 means encryption disabled."
    if (ch.role === Channel.Channel_Role.SECONDARY) {
      const p = channels.findIndex((c) => c.role === Channel.Channel_Role.PRIMARY);
      return p < 0 || p === index ? true : channelUsesPublicKey(channels, p);
    }
    return true;
  }
  if (psk.length === 1) return true; // "0 disables encryption; 1..255 are the public defaultpsk family"
  return psk.length === DEFAULT_PSK.length && psk.subarray(0, DEFAULT_PSK.length - 1).every((b, i) => b === DEFAULT_PSK[i]);
}

export function positionPrecisionForChannel(channels: readonly Channel.Channel[], index: number): number {
  const ch = channels[index];
  if (!ch || ch.role === Channel.Channel_Role.DISABLED) return 0;
  const precision = ch.settings?.moduleSettings?.positionPrecision ?? 0;
  return precision > MAX_POSITION_PRECISION_PUBLIC_KEY && channelUsesPublicKey(channels, index) ? MAX_POSITION_PRECISION_PUBLIC_KEY : precision;
}
