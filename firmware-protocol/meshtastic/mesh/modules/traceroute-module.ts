/**
 * Traceroute (firmware src/modules/TraceRouteModule.cpp): every node a RouteDiscovery passes through appends its
 * number and the SNR it heard it with — to `route`/`snr_towards` on the way to the target, to `route_back`/`snr_back`
 * on the way back — filling hops it cannot name (nodes that relay without decoding) with 0xFFFFFFFF / INT8_MIN. The
 * target answers with the request's RouteDiscovery (its own SNR appended), and results teach next hops.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums } from '@meshtastic/protobufs';
import { NODENUM_BROADCAST, getHopsAway, isBroadcast, lastByteOfNodeNum } from '../hops.js';
import type { MeshModule } from '../mesh-module.js';

/** mesh.options RouteDiscovery route max_count: 8. */
export const ROUTE_SIZE = 8;
const INT8_MIN = -128;

/** TraceRouteModule::insertUnknownHops. */
export function insertUnknownHops(p: Mesh.MeshPacket, r: Mesh.RouteDiscovery, towardsDestination: boolean): void {
  const route = towardsDestination ? r.route : r.routeBack;
  const snr = towardsDestination ? r.snrTowards : r.snrBack;
  const hopsTaken = getHopsAway(p);
  if (hopsTaken < 0) return;
  for (let diff = hopsTaken - route.length; diff > 0 && route.length < ROUTE_SIZE; diff--) route.push(NODENUM_BROADCAST);
  for (let diff = route.length - snr.length; diff > 0 && snr.length < ROUTE_SIZE; diff--) snr.push(INT8_MIN);
}

/** TraceRouteModule::appendMyIDandSNR: SNR as int8 quarter-dB; the node number too unless we are the last hop. */
export function appendMyIdAndSnr(r: Mesh.RouteDiscovery, ourNum: number, snrDb: number, towardsDestination: boolean, snrOnly: boolean): void {
  const route = towardsDestination ? r.route : r.routeBack;
  const snr = towardsDestination ? r.snrTowards : r.snrBack;
  if (snr.length < ROUTE_SIZE) snr.push(toInt8(Math.trunc(snrDb * 4)));
  if (snrOnly) return;
  if (route.length < ROUTE_SIZE) route.push(ourNum >>> 0);
}

function toInt8(n: number): number {
  return ((n & 0xff) << 24) >> 24; // (int8_t) conversion
}

export interface TraceRouteModuleOptions {
  ourNum: number;
  /** NodeDB next_hop updates (TraceRouteModule::maybeSetNextHop): only for nodes we know. */
  setNextHop: (target: number, relayByte: number) => void;
}

export class TraceRouteModule implements MeshModule {
  readonly name = 'traceroute';
  readonly portnum = Portnums.PortNum.TRACEROUTE_APP;
  readonly promiscuous = true;

  constructor(private readonly o: TraceRouteModuleOptions) {}

  /** alterReceivedProtobuf (also FloodingRouter::reprocessPacket → processUpgradedPacket). */
  handle(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded') return;
    const data = p.payloadVariant.value;
    let r: Mesh.RouteDiscovery;
    try {
      r = fromBinary(Mesh.RouteDiscoverySchema, data.payload);
    } catch {
      return;
    }
    const towards = data.requestId === 0;
    if (!towards) this.updateNextHops(p, r);
    insertUnknownHops(p, r, towards);
    appendMyIdAndSnr(r, this.o.ourNum, p.rxSnr, towards, p.to === this.o.ourNum);
    data.payload = toBinary(Mesh.RouteDiscoverySchema, r);
  }

  /** allocReply: the (already altered) request's RouteDiscovery; multi-hop broadcast requests are ignored. */
  reply(request: Mesh.MeshPacket): Mesh.MeshPacket | 'ignore' | undefined {
    if (isBroadcast(request.to) && request.hopLimit < request.hopStart) return 'ignore';
    if (request.payloadVariant.case !== 'decoded') return undefined;
    let r: Mesh.RouteDiscovery;
    try {
      r = fromBinary(Mesh.RouteDiscoverySchema, request.payloadVariant.value.payload);
    } catch {
      r = create(Mesh.RouteDiscoverySchema); // pb_decode failure leaves the scratch zeroed and still replies
    }
    return create(Mesh.MeshPacketSchema, {
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TRACEROUTE_APP, payload: toBinary(Mesh.RouteDiscoverySchema, r) }) },
    });
  }

  /** TraceRouteModule::updateNextHops: from a returned route, the node after us is the next hop to everyone beyond. */
  private updateNextHops(p: Mesh.MeshPacket, r: Mesh.RouteDiscovery): void {
    let nextHopIndex = -1;
    if (p.to === this.o.ourNum) nextHopIndex = 0;
    else {
      const i = r.route.indexOf(this.o.ourNum >>> 0);
      if (i >= 0) nextHopIndex = i + 1;
    }
    if (nextHopIndex === -1) return;
    const nextHop = nextHopIndex === r.route.length ? p.from : r.route[nextHopIndex]!;
    if (nextHop === NODENUM_BROADCAST) return;
    const byte = lastByteOfNodeNum(nextHop);
    for (let i = nextHopIndex; i < r.route.length; i++) if (r.route[i] !== NODENUM_BROADCAST) this.o.setNextHop(r.route[i]!, byte);
    this.o.setNextHop(p.from, byte);
  }
}
