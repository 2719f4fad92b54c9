/**
 * A packet from the Meshtastic mesh as the router sees it: a ForeignMessage from `mt:!xxxxxxxx` (named from the
 * node DB) to `mt:ch:<index>` or, for a DM, to our radio's `mt:!…`. Text packets carry `text`; the chosen data
 * portnums (PRIVATE_APP by default) carry `data`; everything else (telemetry, routing, positions…) stays on the mesh.
 */
import { Portnums } from '../../../firmware-protocol/meshtastic/messages.js';
import { channelAddress, nodeAddress } from '../../../firmware-protocol/meshtastic/node-id.js';
import type { NodeDb } from '../../../firmware-protocol/meshtastic/node-db.js';
import type { ReceivedMessage } from '../../../firmware-protocol/meshtastic/session.js';
import type { ForeignMessage } from '../../bearer/bearer.js';

export const DEFAULT_DATA_PORTNUMS: readonly number[] = [Portnums.PortNum.PRIVATE_APP];

export function toForeignMessage(bearer: string, m: ReceivedMessage, nodes: NodeDb | undefined, dataPortnums: readonly number[] = DEFAULT_DATA_PORTNUMS): ForeignMessage | undefined {
  const isText = m.portnum === Portnums.PortNum.TEXT_MESSAGE_APP;
  if (!isText && !dataPortnums.includes(m.portnum)) return undefined;
  return {
    bearer,
    from: nodeAddress(m.from),
    fromName: nodes?.get(m.from)?.longName,
    to: m.direct ? nodeAddress(m.to) : channelAddress(m.channel),
    direct: m.direct,
    text: isText ? m.text : undefined,
    data: isText ? undefined : m.payload,
    packetId: m.id,
    receivedAt: Date.now(),
    rssi: m.rxRssi,
    snr: m.rxSnr,
  };
}

/** Remembers the last `capacity` (from, id) pairs: the firmware dedupes the air, this covers replays to the client
 * (store-and-forward history, a radio resending its to-phone queue). */
export class RecentPackets {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 1024) {}

  /** True the first time a (from, id) pair is offered. */
  fresh(from: number, id: number): boolean {
    const key = `${from >>> 0}:${id >>> 0}`;
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) this.seen.delete(this.seen.values().next().value!);
    return true;
  }
}
