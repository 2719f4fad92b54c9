/**
 * Default::getConfiguredOrDefaultMsScaled and congestionScalingCoefficient (firmware 2.7.26 src/mesh/Default.{h,cpp}):
 * periodic sends slow down on a busy mesh. Up to 40 nodes online the interval is as configured; above, each extra
 * node adds 2^SF / (BW kHz × 100) of it (LongFast: 0.08192, so 50 nodes online → × 1.8192). ROUTER and ROUTER_LATE
 * are not scaled ("It's already significantly higher"). The firmware computes in float: so do we (Math.fround).
 */
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import type { MeshRole } from './role.js';

/** NodeDB.cpp NUM_ONLINE_SECS: a node heard within 2 h is online. */
export const NUM_ONLINE_SECS = 2 * 60 * 60;
const MAX_MS = 0x7fffffff;

/** Default.h congestionScalingCoefficient (SF clamped 7..12 and BW as the firmware's clamp helpers keep them). */
export function congestionScalingCoefficient(numOnlineNodes: number, modulation: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>): number {
  if (numOnlineNodes <= 40) return 1;
  const sf = Math.min(12, Math.max(7, modulation.spreadingFactor));
  const bwKHz = Math.fround(modulation.bandwidthHz / 1000);
  const throttlingFactor = Math.fround(2 ** sf / Math.fround(bwKHz * 100));
  return Math.fround(1 + Math.fround((numOnlineNodes - 40) * throttlingFactor));
}

/** Default::getConfiguredOrDefaultMsScaled for an interval already in ms. */
export function scaledIntervalMs(baseMs: number, role: MeshRole, numOnlineNodes: number, modulation: Pick<LoraModulation, 'spreadingFactor' | 'bandwidthHz'>): number {
  if (role === 'ROUTER' || role === 'ROUTER_LATE') return baseMs;
  const coef = congestionScalingCoefficient(numOnlineNodes, modulation);
  const scaled = Math.fround(Math.fround(baseMs) * coef);
  return scaled >= MAX_MS ? MAX_MS : Math.trunc(scaled);
}
