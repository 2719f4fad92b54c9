/**
 * The native node's battery and power telemetry on the mesh (TELEMETRY_APP), as the firmware's modules send theirs:
 * - DeviceMetrics (src/modules/Telemetry/DeviceTelemetry.cpp): battery_level (MAGIC_USB_BATTERY_LEVEL 101 while
 *   charging or without a battery, else the charge 0..100), voltage (only with a battery), channel and TX
 *   utilisation, uptime; every device_update_interval (default_telemetry_broadcast_interval_secs, 30 min).
 * - PowerMetrics (src/modules/Telemetry/PowerTelemetry.cpp, INA219/INA226/INA260/INA3221 sensors): ch1..ch3 voltage
 *   (V) and current (mA) of the monitor's channels; every power_update_interval (30 min too), BACKGROUND priority.
 * Both broadcast, want_response false, from the node itself (MeshService::sendToMesh, RX_SRC_LOCAL). The figures come
 * from runtime/power through a PowerSlot the daemon fills once the monitor runs; without one nothing is sent.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import { Mesh, Portnums, Telemetry } from '@meshtastic/protobufs';
import { MAGIC_USB_BATTERY_LEVEL } from '../../../firmware-protocol/meshtastic/mesh/modules/telemetry-module.js';
import type { CancelTimer, TimerClock } from '../../../lib/clock/timer-clock.js';
import type { Logger } from '../../log/logger.js';

/** What the relay knows of its power (runtime/power), in the telemetry's terms. */
export interface NodePowerFigures {
  /** 0..100. */
  stateOfCharge: number;
  batteryVolts: number;
  charging: boolean;
  /** The monitor's channels by their number on the chip (INA3221 1..3; a one-channel chip's battery is channel 1). */
  channels: Array<{ channel: 1 | 2 | 3; volts: number; amps: number }>;
}

/** Where the node reads its power figures; the daemon sets `source` when a power monitor runs. */
export class PowerSlot {
  source?: () => NodePowerFigures | undefined;

  figures(): NodePowerFigures | undefined {
    try {
      return this.source?.();
    } catch {
      return undefined;
    }
  }

  /** PowerMetrics of the monitor's channels (the answer to a PowerMetrics request). */
  powerMetrics(): Telemetry.PowerMetrics | undefined {
    const f = this.figures();
    return f ? powerMetricsOf(f) : undefined;
  }

  /** DeviceMetrics battery_level and voltage, as DeviceTelemetryModule::getDeviceTelemetry fills them. */
  battery(): { level: number; volts: number } | undefined {
    const f = this.figures();
    if (!f) return undefined;
    return { level: f.charging ? MAGIC_USB_BATTERY_LEVEL : Math.round(f.stateOfCharge), volts: f.batteryVolts };
  }
}

/** default_telemetry_broadcast_interval_secs (src/mesh/Default.h): 30 min. */
export const TELEMETRY_INTERVAL_MS = 30 * 60_000;
/** The modules' first send after start (setStartDelay, a minute here: the node first hears who is around). */
const START_DELAY_MS = 60_000;

export interface PowerTelemetryInit {
  slot: PowerSlot;
  sendLocal: (p: Mesh.MeshPacket) => number;
  localStats: () => { uptimeSeconds: number; channelUtilization: number; airUtilTx: number };
  clock: TimerClock;
  unixSeconds?: () => number;
  log: Logger;
  intervalMs?: number;
}

export class PowerTelemetry {
  private timer?: CancelTimer;
  private factor = 1;
  sent = { device: 0, power: 0 };

  constructor(private readonly init: PowerTelemetryInit) {}

  start(): void {
    this.arm(START_DELAY_MS);
  }

  stop(): void {
    this.timer?.();
    this.timer = undefined;
  }

  /** Interval × factor from the next send (runtime/power stretches it when the battery is low). */
  setIntervalFactor(factor: number): void {
    this.factor = factor;
  }

  /** Sends DeviceMetrics and PowerMetrics now; false when there are no figures. */
  sendNow(): boolean {
    const f = this.init.slot.figures();
    if (!f) return false;
    const time = this.init.unixSeconds?.() ?? Math.floor(Date.now() / 1000);
    this.send(deviceMetrics(f, this.init.localStats(), time));
    this.sent.device++;
    if (f.channels.length > 0) {
      this.send(powerMetrics(f, time));
      this.sent.power++;
    }
    return true;
  }

  private arm(ms: number): void {
    this.timer = this.init.clock.setTimer(ms, () => {
      try {
        this.sendNow();
      } catch (err) {
        this.init.log.warn('power telemetry not sent', { err: String(err) });
      }
      this.arm((this.init.intervalMs ?? TELEMETRY_INTERVAL_MS) * this.factor);
    }, { name: 'native-power-telemetry', unref: true });
  }

  private send(t: Telemetry.Telemetry): void {
    this.init.sendLocal(create(Mesh.MeshPacketSchema, {
      to: 0xffffffff,
      priority: Mesh.MeshPacket_Priority.BACKGROUND,
      payloadVariant: { case: 'decoded', value: create(Mesh.DataSchema, { portnum: Portnums.PortNum.TELEMETRY_APP, payload: toBinary(Telemetry.TelemetrySchema, t), wantResponse: false }) },
    }));
  }
}

export function deviceMetrics(f: NodePowerFigures, s: { uptimeSeconds: number; channelUtilization: number; airUtilTx: number }, time: number): Telemetry.Telemetry {
  return create(Telemetry.TelemetrySchema, {
    time,
    variant: {
      case: 'deviceMetrics',
      value: create(Telemetry.DeviceMetricsSchema, {
        batteryLevel: f.charging ? MAGIC_USB_BATTERY_LEVEL : Math.round(f.stateOfCharge),
        voltage: f.batteryVolts,
        channelUtilization: s.channelUtilization,
        airUtilTx: s.airUtilTx,
        uptimeSeconds: s.uptimeSeconds,
      }),
    },
  });
}

export function powerMetrics(f: NodePowerFigures, time: number): Telemetry.Telemetry {
  return create(Telemetry.TelemetrySchema, { time, variant: { case: 'powerMetrics', value: powerMetricsOf(f) } });
}

/** ch1..ch3 voltage (V) and current (mA, INA3221Sensor::getMetrics: getCurrent in mA) of the wired channels. */
export function powerMetricsOf(f: NodePowerFigures): Telemetry.PowerMetrics {
  const fields: Record<string, number> = {};
  for (const c of f.channels) {
    fields[`ch${c.channel}Voltage`] = c.volts;
    fields[`ch${c.channel}Current`] = c.amps * 1000;
  }
  return create(Telemetry.PowerMetricsSchema, fields);
}
