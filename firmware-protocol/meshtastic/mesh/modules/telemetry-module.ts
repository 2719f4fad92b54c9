/**
 * Device telemetry (firmware src/modules/Telemetry/DeviceTelemetry.cpp): learns DeviceMetrics sent to us or broadcast,
 * and answers a telemetry request — DeviceMetrics (battery 101 = powered, as a board without a battery reports;
 * channel and TX utilisation; uptime), LocalStats, or PowerMetrics when a power monitor gives them
 * (PowerTelemetry.cpp allocReply), by the variant asked for. A multi-hop broadcast request is only
 * answered by a ROUTER (or SENSOR) role.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import type { NodeDirectory } from '../../device/mesh-port.js';
import { isBroadcast } from '../hops.js';
import type { MeshModule } from '../mesh-module.js';

/** DeviceTelemetry.cpp MAGIC_USB_BATTERY_LEVEL: no battery, or charging. */
export const MAGIC_USB_BATTERY_LEVEL = 101;

export interface LocalStatsSource {
  uptimeSeconds: number;
  channelUtilization: number;
  airUtilTx: number;
  numPacketsTx: number;
  numPacketsRx: number;
  numPacketsRxBad: number;
  numRxDupe: number;
  numTxRelay: number;
  numTxRelayCanceled: number;
}

export interface TelemetryModuleOptions {
  ourNum: number;
  directory: NodeDirectory;
  /** ROUTER answers multi-hop broadcast requests (isSensorOrRouterRole). */
  answersBroadcasts: boolean;
  stats: () => LocalStatsSource;
  /** Unix seconds (Telemetry.time). */
  unixSeconds: () => number;
  /** ROUTER answers multi-hop broadcast requests; read at each request (the role may change, setRole). */
  answersBroadcastsNow?: () => boolean;
  /** The battery (DeviceMetrics battery_level 0..100 and voltage); none = MAGIC_USB_BATTERY_LEVEL, 0 V. */
  battery?: () => { level: number; volts: number } | undefined;
  /** The power monitor's channels (PowerTelemetry.cpp allocReply answers a PowerMetrics request with them); none =
   * no answer (a NO_RESPONSE NAK, as a node without an INA sensor gives). */
  powerMetrics?: () => Telemetry.PowerMetrics | undefined;
}

export class TelemetryModule implements MeshModule {
  readonly name = 'devicetelemetry';
  readonly portnum = Portnums.PortNum.TELEMETRY_APP;
  readonly promiscuous = false;

  constructor(private readonly o: TelemetryModuleOptions) {}

  handle(p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded' || p.from === this.o.ourNum) return;
    const t = parse(p.payloadVariant.value.payload);
    if (t?.variant.case === 'deviceMetrics') this.o.directory.updateTelemetry(p.from, t.variant.value);
  }

  reply(request: Mesh.MeshPacket): Mesh.MeshPacket | 'ignore' | undefined {
    const answers = this.o.answersBroadcastsNow?.() ?? this.o.answersBroadcasts;
    if (isBroadcast(request.to) && request.hopLimit < request.hopStart && !answers) return 'ignore';
    if (request.payloadVariant.case !== 'decoded') return undefined;
    const asked = parse(request.payloadVariant.value.payload);
    if (!asked) return undefined; // "Error decoding DeviceTelemetry module!"
    const s = this.o.stats();
    let t: Telemetry.Telemetry;
    if (asked.variant.case === 'deviceMetrics') {
      const battery = this.o.battery?.();
      t = create(Telemetry.TelemetrySchema, {
        time: this.o.unixSeconds(),
        variant: {
          case: 'deviceMetrics',
          value: create(Telemetry.DeviceMetricsSchema, {
            batteryLevel: battery ? battery.level : MAGIC_USB_BATTERY_LEVEL,
            voltage: battery ? battery.volts : 0,
            channelUtilization: s.channelUtilization,
            airUtilTx: s.airUtilTx,
            uptimeSeconds: s.uptimeSeconds,
          }),
        },
      });
    } else if (asked.variant.case === 'powerMetrics') {
      const pm = this.o.powerMetrics?.();
      if (!pm) return undefined;
      t = create(Telemetry.TelemetrySchema, { time: this.o.unixSeconds(), variant: { case: 'powerMetrics', value: pm } });
    } else if (asked.variant.case === 'localStats') {
      t = create(Telemetry.TelemetrySchema, { time: this.o.unixSeconds(), variant: { case: 'localStats', value: create(Telemetry.LocalStatsSchema, s) } });
    } else {
      return undefined;
    }
    return create(Mesh.MeshPacketSchema, {
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TELEMETRY_APP, payload: toBinary(Telemetry.TelemetrySchema, t) }) },
    });
  }
}

function parse(bytes: Uint8Array): Telemetry.Telemetry | undefined {
  try {
    return fromBinary(Telemetry.TelemetrySchema, bytes);
  } catch {
    return undefined;
  }
}
