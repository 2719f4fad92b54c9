/**
 * The map report (firmware src/mqtt/MQTT.cpp perhapsReportToMap): a MAP_REPORT_APP MeshPacket from us, its payload a
 * MapReport with our position blurred to `precisionBits` (the public maps take 10 bits ≈ 23.3 km .. 16 bits ≈ 364 m),
 * in a ServiceEnvelope on `<root>/2/map/` with the primary channel's name as channel id.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Mqtt, Portnums } from '@meshtastic/protobufs';
import type { MapReportFacts } from './gateway-radio.js';

/** "Set position with precision (same as in PositionModule)": keep the top bits, then move to the cell's centre. */
export function blurCoordinate(coordI: number, precisionBits: number): number {
  const mask = (0xffffffff << (32 - precisionBits)) | 0;
  return ((coordI & mask) + (1 << (31 - precisionBits))) | 0;
}

export function mapReportMessage(o: { facts: MapReportFacts; nodeNum: number; gatewayId: string; primaryChannel: string; root: string; precisionBits: number }): { topic: string; payload: Uint8Array } | undefined {
  const f = o.facts;
  if (!f.position || (f.position.latitudeI === 0 && f.position.longitudeI === 0)) return undefined; // "no position available"
  const report = create(Mqtt.MapReportSchema, {
    longName: [...f.longName].slice(0, 24).join(''), // mapReport.long_name is 25 bytes with the NUL
    shortName: f.shortName,
    role: f.role,
    hwModel: f.hwModel,
    firmwareVersion: f.firmwareVersion,
    region: f.region,
    modemPreset: f.modemPreset,
    hasDefaultChannel: f.hasDefaultChannel,
    latitudeI: blurCoordinate(f.position.latitudeI, o.precisionBits),
    longitudeI: blurCoordinate(f.position.longitudeI, o.precisionBits),
    altitude: f.position.altitude,
    positionPrecision: o.precisionBits,
    numOnlineLocalNodes: f.numOnlineLocalNodes,
    hasOptedReportLocation: true,
  });
  const packet = create(Mesh.MeshPacketSchema, {
    from: o.nodeNum, to: 0xffffffff,
    payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.MAP_REPORT_APP, payload: toBinary(Mqtt.MapReportSchema, report) } },
  });
  const envelope = create(Mqtt.ServiceEnvelopeSchema, { packet, channelId: o.primaryChannel, gatewayId: o.gatewayId });
  return { topic: `${o.root}/2/map/`, payload: toBinary(Mqtt.ServiceEnvelopeSchema, envelope) };
}
