/**
 * Counters of the LoRa bearer, kept in memory (status().detail.counters, tests) and mirrored into Prometheus when a
 * Metrics registry is given (get-or-create, so several LoRa bearers share the series, told apart by `bearer`):
 *   lattice_lora_frames_out_total{bearer,type}           LoRa frames put on the air (data | advert | ack | chain: v2 anchors and keys)
 *   lattice_lora_frames_in_total{bearer,type}            LoRa frames received intact (data | advert | ack | chain)
 *   lattice_lora_ack_timeouts_total{bearer}              unicast sends whose link ACK did not come in time
 *   lattice_lora_retransmissions_total{bearer}           unicast payloads sent again after an ACK timeout
 *   lattice_lora_acks_withheld_total{bearer,fate}        unicast payloads received but not ACKed: the router refused
 *                                                        them or could not store them (refused | not-stored)
 *   lattice_lora_fragments_out_total{bearer}             / lattice_lora_fragments_in_total{bearer}
 *   lattice_lora_bundles_out_total{bearer,encoding}      link payloads sent (compact | wire | v2)
 *   lattice_lora_reassembly_failures_total{bearer,reason}  expired | evicted | inconsistent
 *   lattice_lora_discarded_total{bearer,reason}          crc | malformed | not-for-us | own | bad-compact | oversize |
 *                                                        duplicate (a retransmission of a payload already delivered) |
 *                                                        v2-malformed | v2-bad-mac (hop MAC, group tag or DM tag) |
 *                                                        v2-unknown-key (a key hint this relay cannot resolve) |
 *                                                        v2-off (a v2 frame to a bearer without v2)
 *   lattice_lora_airtime_seconds_total{bearer,sub_band}  time on air spent
 *   lattice_lora_duty_cycle_waits_total{bearer,sub_band} / lattice_lora_duty_cycle_wait_seconds_total{bearer,sub_band}
 *   lattice_lora_channel_busy_total{bearer}              CADs that found the channel busy (the governor's or the radio's own)
 *   lattice_lora_radio_reinitialisations_total{bearer,trigger}  the radio found reset (brown-out, ESD) by its health
 *                                                        check and re-initialised (timer | error)
 *   lattice_lora_ledger_refusals_total{bearer}           frames not sent because the airtime ledger could not be saved
 *   lattice_lora_deaf_restarts_total{bearer}             radio re-initialised after hearing nothing for far longer
 *                                                        than the channel's history says it should (deaf-watchdog.ts)
 *   lattice_lora_airtime_window_seconds{bearer,sub_band} airtime used in the current rolling hour (at scrape)
 *   lattice_lora_v2_sender_auth_total{bearer,result}     v2 broadcasts whose origin was checked by delayed key disclosure
 *                                                        (verified | forged | too-late | no-anchor | expired;
 *                                                        v2/sender-auth.ts)
 */
import type { Counter, Gauge, Metrics } from '../../metrics/metrics.js';

export class LoraMetrics {
  readonly counters: Record<string, number> = {};
  private readonly prom?: {
    framesOut: Counter<'bearer' | 'type'>;
    framesIn: Counter<'bearer' | 'type'>;
    fragmentsOut: Counter<'bearer'>;
    fragmentsIn: Counter<'bearer'>;
    bundlesOut: Counter<'bearer' | 'encoding'>;
    reassemblyFailures: Counter<'bearer' | 'reason'>;
    discarded: Counter<'bearer' | 'reason'>;
    airtime: Counter<'bearer' | 'sub_band'>;
    waits: Counter<'bearer' | 'sub_band'>;
    waitSeconds: Counter<'bearer' | 'sub_band'>;
    busy: Counter<'bearer'>;
    reinit: Counter<'bearer' | 'trigger'>;
    ledgerRefusals: Counter<'bearer'>;
    deafRestarts: Counter<'bearer'>;
    ackTimeouts: Counter<'bearer'>;
    retransmissions: Counter<'bearer'>;
    acksWithheld: Counter<'bearer' | 'fate'>;
    senderAuth: Counter<'bearer' | 'result'>;
    window: Gauge<'bearer' | 'sub_band'>;
  };

  constructor(readonly bearer: string, metrics?: Metrics, windowUsedMs?: () => Record<string, number>) {
    if (!metrics) return;
    const bearerName = bearer;
    this.prom = {
      framesOut: metrics.counter({ name: 'lattice_lora_frames_out_total', help: 'LoRa frames put on the air', labelNames: ['bearer', 'type'] }),
      framesIn: metrics.counter({ name: 'lattice_lora_frames_in_total', help: 'LoRa frames received intact', labelNames: ['bearer', 'type'] }),
      fragmentsOut: metrics.counter({ name: 'lattice_lora_fragments_out_total', help: 'Fragments sent (frames of bundles split over several LoRa frames)', labelNames: ['bearer'] }),
      fragmentsIn: metrics.counter({ name: 'lattice_lora_fragments_in_total', help: 'Fragments received', labelNames: ['bearer'] }),
      bundlesOut: metrics.counter({ name: 'lattice_lora_bundles_out_total', help: 'Link payloads sent, by on-air encoding', labelNames: ['bearer', 'encoding'] }),
      reassemblyFailures: metrics.counter({ name: 'lattice_lora_reassembly_failures_total', help: 'Incomplete fragment sets dropped', labelNames: ['bearer', 'reason'] }),
      discarded: metrics.counter({ name: 'lattice_lora_discarded_total', help: 'Received LoRa frames dropped', labelNames: ['bearer', 'reason'] }),
      airtime: metrics.counter({ name: 'lattice_lora_airtime_seconds_total', help: 'Time on air spent, per sub-band', labelNames: ['bearer', 'sub_band'] }),
      waits: metrics.counter({ name: 'lattice_lora_duty_cycle_waits_total', help: 'Sends that waited for duty-cycle budget', labelNames: ['bearer', 'sub_band'] }),
      waitSeconds: metrics.counter({ name: 'lattice_lora_duty_cycle_wait_seconds_total', help: 'Time sends were told to wait for duty-cycle budget', labelNames: ['bearer', 'sub_band'] }),
      busy: metrics.counter({ name: 'lattice_lora_channel_busy_total', help: 'Listen-before-talk CADs that found the channel busy', labelNames: ['bearer'] }),
      reinit: metrics.counter({
        name: 'lattice_lora_radio_reinitialisations_total',
        help: 'Radio found reset by its health check (brown-out, ESD) and re-initialised',
        labelNames: ['bearer', 'trigger'],
      }),
      ledgerRefusals: metrics.counter({ name: 'lattice_lora_ledger_refusals_total', help: 'Frames not sent because the airtime ledger could not be saved', labelNames: ['bearer'] }),
      deafRestarts: metrics.counter({ name: 'lattice_lora_deaf_restarts_total', help: 'Radio re-initialised after hearing nothing for far longer than the channel history says it should', labelNames: ['bearer'] }),
      ackTimeouts: metrics.counter({ name: 'lattice_lora_ack_timeouts_total', help: 'Unicast sends whose link ACK did not come in time', labelNames: ['bearer'] }),
      retransmissions: metrics.counter({ name: 'lattice_lora_retransmissions_total', help: 'Unicast payloads sent again after an ACK timeout', labelNames: ['bearer'] }),
      acksWithheld: metrics.counter({
        name: 'lattice_lora_acks_withheld_total',
        help: 'Unicast payloads not acknowledged because this relay refused them or could not store them',
        labelNames: ['bearer', 'fate'],
      }),
      senderAuth: metrics.counter({ name: 'lattice_lora_v2_sender_auth_total', help: 'Lattice v2 broadcasts whose origin was checked by delayed key disclosure, by result', labelNames: ['bearer', 'result'] }),
      window: metrics.gauge({
        name: 'lattice_lora_airtime_window_seconds',
        help: 'Airtime used in the current rolling hour, per sub-band',
        labelNames: ['bearer', 'sub_band'],
        collect() {
          for (const [sub_band, ms] of Object.entries(windowUsedMs?.() ?? {})) this.set({ bearer: bearerName, sub_band }, ms / 1000);
        },
      }),
    };
  }

  private bump(key: string, n = 1): void {
    this.counters[key] = (this.counters[key] ?? 0) + n;
  }

  frameOut(type: 'data' | 'advert' | 'ack' | 'chain'): void {
    this.bump(`frames_out.${type}`);
    this.prom?.framesOut.inc({ bearer: this.bearer, type });
  }

  frameIn(type: 'data' | 'advert' | 'ack' | 'chain'): void {
    this.bump(`frames_in.${type}`);
    this.prom?.framesIn.inc({ bearer: this.bearer, type });
  }

  fragmentOut(): void {
    this.bump('fragments_out');
    this.prom?.fragmentsOut.inc({ bearer: this.bearer });
  }

  fragmentIn(): void {
    this.bump('fragments_in');
    this.prom?.fragmentsIn.inc({ bearer: this.bearer });
  }

  bundleOut(encoding: 'compact' | 'wire' | 'v2'): void {
    this.bump(`bundles_out.${encoding}`);
    this.prom?.bundlesOut.inc({ bearer: this.bearer, encoding });
  }

  reassemblyFailure(reason: string): void {
    this.bump(`reassembly_failures.${reason}`);
    this.prom?.reassemblyFailures.inc({ bearer: this.bearer, reason });
  }

  discarded(reason: 'crc' | 'malformed' | 'not-for-us' | 'own' | 'bad-compact' | 'oversize' | 'duplicate' | 'v2-malformed' | 'v2-bad-mac' | 'v2-unknown-key' | 'v2-off'): void {
    this.bump(`discarded.${reason}`);
    this.prom?.discarded.inc({ bearer: this.bearer, reason });
  }

  airtime(subBand: string, ms: number): void {
    this.bump(`airtime_ms.${subBand}`, ms);
    this.prom?.airtime.inc({ bearer: this.bearer, sub_band: subBand }, ms / 1000);
  }

  dutyCycleWait(subBand: string, ms: number): void {
    this.bump(`duty_cycle_waits.${subBand}`);
    this.bump(`duty_cycle_wait_ms.${subBand}`, ms);
    this.prom?.waits.inc({ bearer: this.bearer, sub_band: subBand });
    this.prom?.waitSeconds.inc({ bearer: this.bearer, sub_band: subBand }, ms / 1000);
  }

  senderAuth(result: string): void {
    this.bump(`v2_sender_auth.${result}`);
    this.prom?.senderAuth.inc({ bearer: this.bearer, result });
  }

  ackTimeout(): void {
    this.bump('ack_timeouts');
    this.prom?.ackTimeouts.inc({ bearer: this.bearer });
  }

  retransmission(): void {
    this.bump('retransmissions');
    this.prom?.retransmissions.inc({ bearer: this.bearer });
  }

  unacknowledged(fate: string): void {
    this.bump(`acks_withheld.${fate}`);
    this.prom?.acksWithheld.inc({ bearer: this.bearer, fate });
  }

  channelBusy(): void {
    this.bump('channel_busy');
    this.prom?.busy.inc({ bearer: this.bearer });
  }

  radioReinitialised(trigger: string): void {
    this.bump(`radio_reinitialisations.${trigger}`);
    this.prom?.reinit.inc({ bearer: this.bearer, trigger });
  }

  ledgerRefused(): void {
    this.bump('ledger_refusals');
    this.prom?.ledgerRefusals.inc({ bearer: this.bearer });
  }

  deafRestart(): void {
    this.bump('deaf_restarts');
    this.prom?.deafRestarts.inc({ bearer: this.bearer });
  }
}
