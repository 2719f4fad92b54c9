/**
 * The native node's pieces as the mesh router (firmware-protocol/meshtastic/mesh/mesh-router.ts) takes them:
 * - the radio: NativeRadio → MeshRadio (frames in with RSSI/SNR, transmit, CAD);
 * - the duty cycle: the board's airtime governor asked, without side effects, whether a frame may start now
 *   (MeshRouterOptions.mayTransmit; the router then refuses with DUTY_CYCLE_LIMIT as Router::send does); the
 *   transmission itself books the airtime (NativeRadio.transmit → AirtimeGovernor.permit);
 * - its counts: MeshMetrics → our Metrics (native-metrics.ts).
 */
import type { MeshMetrics } from '../../../firmware-protocol/meshtastic/mesh/mesh-metrics.js';
import type { MeshRadio } from '../../../firmware-protocol/meshtastic/mesh/mesh-radio.js';
import type { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { NativeMetrics } from './native-metrics.js';
import type { NativeRadio } from './native-radio.js';

export function meshRadioOf(radio: NativeRadio): MeshRadio {
  return {
    transmit: (frame) => radio.transmit(frame),
    channelBusy: () => radio.channelActivity(),
    onReceive: (listener) => radio.onFrame((f) => listener({ bytes: f.bytes, rssiDbm: f.rssi, snrDb: f.snr })),
  };
}

/** True when a frame of this airtime may go on the air now in the channel's sub-band. */
export function mayTransmitOf(governor: AirtimeGovernor, radio: NativeRadio): (airtimeMs: number) => boolean {
  const { frequencyHz, bandwidthHz } = radio.modulation;
  return (airtimeMs) => {
    try {
      governor.checkDwell({ bandwidthHz, airtimeMs });
      return governor.waitMs({ frequencyHz, bandwidthHz, airtimeMs }) === 0;
    } catch {
      return false;
    }
  };
}

/** The router's events and drops as Prometheus series; a radio error is counted by the radio adapter (tx-failed). */
export function meshMetricsOf(metrics: NativeMetrics | undefined, bearer: string): MeshMetrics {
  if (!metrics) return { inc: () => undefined, dropped: () => undefined };
  return {
    inc(event) {
      if (event === 'heard') metrics.heard.inc({ bearer });
      else if (event === 'sent') metrics.sent.inc({ bearer });
      else if (event === 'rebroadcast') metrics.rebroadcast.inc({ bearer });
      metrics.events.inc({ bearer, event });
    },
    dropped(reason) {
      if (reason === 'duplicate') metrics.duplicates.inc({ bearer });
      else if (reason !== 'radio-error') metrics.dropped.inc({ bearer, reason });
    },
  };
}
