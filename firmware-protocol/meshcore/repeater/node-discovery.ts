/**
 * Zero-hop node discovery as the repeater does it (examples/simple_repeater/MyMesh.cpp onControlDataRecv,
 * sendNodeDiscoverReq): a CONTROL DISCOVER_REQ (0x8x · type filter · tag u32 · [since u32]) asking for repeaters is
 * answered zero-hop with DISCOVER_RESP (0x92 · SNR×4 · tag · our key, 8 bytes when the request's low bit asks for a
 * prefix) after a random delay widened ×4, at most 4 answers per 2 minutes, not while forwarding is off, and only
 * when our regions changed since `since`. `discover.neighbors` sends our own request; answers with its tag within
 * 60 s add neighbours.
 */
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import type { ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE } from '../ota/advert-data.js';
import type { McPacket } from '../ota/packet.js';
import type { NeighbourTable } from './neighbours.js';
import type { RepeaterPrefs } from './prefs.js';
import type { RtcClock } from './rtc-clock.js';
import { RateLimiter } from './server-requests.js';

export const CTL_TYPE_NODE_DISCOVER_REQ = 0x80;
export const CTL_TYPE_NODE_DISCOVER_RESP = 0x90;
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
    const data = new Uint8Array(10);
    data[0] = CTL_TYPE_NODE_DISCOVER_REQ; // prefix_only = 0
    data[1] = 1 << ADV_TYPE.REPEATER;
    for (let i = 2; i < 6; i++) data[i] = Math.floor(ctx.random() * 256);
    this.pendingTag = new DataView(data.buffer).getUint32(2, true);
    this.pendingUntil = ctx.nowMs() + PENDING_DISCOVER_MS;
    ctx.mesh.sendZeroHop(ctx.mesh.createControlData(data));
  }

  /** MyMesh::onControlDataRecv. */
  onControl(rx: ReceivedPacket): void {
    const { ctx } = this;
    const pl = rx.packet.payload;
    const type = pl[0] & 0xf0;
    const dv = new DataView(pl.buffer, pl.byteOffset, pl.byteLength);
    if (type === CTL_TYPE_NODE_DISCOVER_REQ && pl.length >= 6 && !ctx.prefs.disableFwd && this.limiter.allow(ctx.rtc.getCurrentTime())) {
      const filter = pl[1];
      const tag = dv.getUint32(2, true);
      const since = pl.length >= 10 ? dv.getUint32(6, true) : 0;
      if ((filter & (1 << ADV_TYPE.REPEATER)) === 0 || ctx.prefs.discoveryModTimestamp < since) return;
      const prefixOnly = (pl[0] & 1) !== 0;
      const data = new Uint8Array(6 + (prefixOnly ? 8 : 32));
      data[0] = CTL_TYPE_NODE_DISCOVER_RESP | ADV_TYPE.REPEATER;
      data[1] = Math.trunc(Math.fround(rx.snrDb) * 4) & 0xff; // packet->_snr, SNR × 4 as int8
      new DataView(data.buffer).setUint32(2, tag, true);
      data.set(ctx.mesh.self.publicKey.subarray(0, data.length - 6), 6);
      const resp = ctx.mesh.createControlData(data);
      ctx.mesh.sendZeroHop(resp, { delayMs: ctx.retransmitDelay(resp) * 4 });
    } else if (type === CTL_TYPE_NODE_DISCOVER_RESP && pl.length >= 6) {
      if ((pl[0] & 0x0f) !== ADV_TYPE.REPEATER || pl.length < 6 + 32) return;
      if (this.pendingTag === 0 || ctx.nowMs() > this.pendingUntil) {
        this.pendingTag = 0;
        return;
      }
      if (dv.getUint32(2, true) !== this.pendingTag) return;
      const id = pl.slice(6, 38);
      if (id.every((b, i) => b === ctx.mesh.self.publicKey[i])) return;
      ctx.neighbours.put(id, ctx.rtc.getCurrentTime(), rx.snrDb, ctx.rtc.getCurrentTime());
    }
  }
}
