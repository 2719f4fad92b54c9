/**
 * Zero-hop node discovery as the repeater does it (examples/simple_repeater/MyMesh.cpp onControlDataRecv,
 * sendNodeDiscoverReq): a CONTROL DISCOVER_REQ (0x8x · type filter · tag u32 · [since u32]) asking for repeaters is
 * answered zero-hop with DISCOVER_RESP (0x92 · SNR×4 · tag · our key, 8 bytes when the request's low bit asks for a
 * prefix) after a random delay widened ×4, at most 4 answers per 2 minutes, not while forwarding is off, and only
 * when our regions changed since `since`. `discover.neighbors` sends our own request; answers with its tag within
 * 60 s add neighbours. The CONTROL layouts are ../ota/control-discover.ts; the policy (filter, limiter, pending tag)
 * is here.
 */
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import type { ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import { decodeDiscoverRequest, decodeDiscoverResponse, encodeDiscoverRequest, encodeDiscoverResponse } from '../ota/control-discover.js';
import type { McPacket } from '../ota/packet.js';
import { CTL_TYPE } from '../ota/request-codes.js';
import type { NeighbourTable } from './neighbours.js';
import type { RepeaterPrefs } from './prefs.js';
import type { RtcClock } from './rtc-clock.js';
import { RateLimiter } from './server-requests.js';

const PENDING_DISCOVER_MS = 60_000;

export interface NodeDiscoveryContext {
  mesh: MeshCoreMesh;
  prefs: RepeaterPrefs;
  neighbours: NeighbourTable;
  rtc: RtcClock;
  nowMs(): number;
  random(): number;
  /** getRetransmitDelay for a packet we send. */
  retransmitDelay(packet: McPacket): number;
}

export class NodeDiscovery {
  /** discover_limiter(4, 120). */
  private readonly limiter = new RateLimiter(4, 120);
  private pendingTag = 0;
  private pendingUntil = 0;

  constructor(private readonly ctx: NodeDiscoveryContext) {}

  /** MyMesh::sendNodeDiscoverReq. */
  sendRequest(): void {
    const { ctx } = this;
    const tagBytes = new Uint8Array(4);
    for (let i = 0; i < 4; i++) tagBytes[i] = Math.floor(ctx.random() * 256);
    const tag = new DataView(tagBytes.buffer).getUint32(0, true);
    // prefix_only = 0, repeaters only, `since` 0 (every repeater answers): 10 bytes as the firmware sends
    const data = encodeDiscoverRequest({ prefixOnly: false, typeFilter: 1 << ADV_TYPE.REPEATER, tag, since: 0 });
    this.pendingTag = tag;
    this.pendingUntil = ctx.nowMs() + PENDING_DISCOVER_MS;
    ctx.mesh.sendZeroHop(ctx.mesh.createControlData(data));
  }

  /** MyMesh::onControlDataRecv. */
  onControl(rx: ReceivedPacket): void {
    const { ctx } = this;
    const pl = rx.packet.payload;
    const type = pl[0] & 0xf0;
    if (type === CTL_TYPE.NODE_DISCOVER_REQ && pl.length >= 6 && !ctx.prefs.disableFwd && this.limiter.allow(ctx.rtc.getCurrentTime())) {
      const req = decodeDiscoverRequest(pl);
      if ((req.typeFilter & (1 << ADV_TYPE.REPEATER)) === 0 || ctx.prefs.discoveryModTimestamp < (req.since ?? 0)) return;
      const resp = ctx.mesh.createControlData(
        encodeDiscoverResponse({
          nodeType: ADV_TYPE.REPEATER,
          snrX4: Math.trunc(Math.fround(rx.snrDb) * 4), // packet->_snr, SNR × 4 as int8
          tag: req.tag,
          publicKey: ctx.mesh.self.publicKey.subarray(0, req.prefixOnly ? 8 : 32),
        }),
      );
      ctx.mesh.sendZeroHop(resp, { delayMs: ctx.retransmitDelay(resp) * 4 });
    } else if (type === CTL_TYPE.NODE_DISCOVER_RESP && pl.length >= 6) {
      if ((pl[0] & 0x0f) !== ADV_TYPE.REPEATER || pl.length < 6 + 32) return;
      if (this.pendingTag === 0 || ctx.nowMs() > this.pendingUntil) {
        this.pendingTag = 0;
        return;
      }
      const resp = decodeDiscoverResponse(pl);
      if (resp.tag !== this.pendingTag) return;
      const id = resp.publicKey;
      if (id.every((b, i) => b === ctx.mesh.self.publicKey[i])) return;
      ctx.neighbours.put(id, ctx.rtc.getCurrentTime(), rx.snrDb, ctx.rtc.getCurrentTime());
    }
  }
}
