/**
 * The native MeshCore node: the relay's own SX126x as a MeshCore repeater with the companion protocol on the same
 * identity (issue 14), offered to the relay as the same RadioGateway a MeshCore companion radio is. It IS a companion
 * radio to the relay: its MeshCoreGateway (runtime/bearers/meshcore) is attached as one more client of the node's
 * companion device over an in-memory link (companion-link.ts), so `lattice send mc:…`, DMs with retries and ACK
 * tracking, channels, the inbox, trace, the bridge and `@MC:` DMs work exactly as over a companion radio, and
 * Lattice bundles ride over it as over one. The "link" is in-process: up from start to stop, never displaced.
 *
 * What the node adds: the radio and the mesh under the device (started first, stopped last), status (the repeater:
 * name, key, preset, neighbours, clients, counters) and metrics (mc-native-metrics.ts).
 */
import type { Clock } from '../../../lib/clock/clock.js';
import type { LoraModulation } from '../../../lib/lora/modulation.js';
import type { BearerEvents, BearerStatus, OutFrame, PeerId, SendResult } from '../../bearer/bearer.js';
import type { RadioGateway, RadioInfo, RadioSendResult, RadioText } from '../../bearer/radio-gateway.js';
import type { Logger } from '../../log/logger.js';
import type { MeshCoreGateway } from '../meshcore/meshcore-gateway.js';
import type { AirUtilisation } from '../meshtastic-native/air-utilisation.js';
import type { NativeRadio } from '../meshtastic-native/native-radio.js';
import type { McNativeMetrics } from './mc-native-metrics.js';
import type { McNativeStack } from './mc-native-stack.js';
import type { RawPacketSource } from '../mqtt/meshcore/raw-packet-source.js';

export interface McNativeNodeInit {
  name: string;
  publicKey: Uint8Array;
  role: string;
  region: string;
  /** As configured (`EU_NARROW`), or `custom`. */
  preset: string;
  radio: NativeRadio;
  stack: McNativeStack;
  /** The relay's own client of the device (built over companionLinkOpener(stack.device)). */
  gateway: MeshCoreGateway;
  utilisation: AirUtilisation;
  /** The companion TCP address as configured; none = off. */
  companion?: { host: string; port: number };
  /** Region scope of our floods (`#de`), or null. */
  floodScope: string | null;
  /** How the radio is attached, for status (`spi /dev/spidev0.0`, `sim 127.0.0.1:4680`). */
  device: string;
  log: Logger;
  clock: Clock;
  metrics?: McNativeMetrics;
}

type State = 'stopped' | 'starting' | 'up';

export class McNativeNode implements RadioGateway {
  readonly name: string;
  readonly mode = 'sync' as const;
  readonly mesh = 'meshcore' as const;
  private state: State = 'stopped';
  private offGauges?: () => void;
  private lastError?: string;
  private readonly keyHex: string;

  constructor(private readonly init: McNativeNodeInit) {
    this.name = init.name;
    this.keyHex = Buffer.from(init.publicKey).toString('hex');
  }

  /** The LoRa modulation the node's radio is tuned to (sync word 0x12, preamble by SF). */
  get modulation(): LoraModulation {
    return this.init.radio.modulation;
  }

  /** The gateway the relay uses (tests wait on it). */
  get gateway(): MeshCoreGateway {
    return this.init.gateway;
  }

  get stack(): McNativeStack {
    return this.init.stack;
  }

  /** The radio as a MeshCore MQTT observer uses it (mqtt `role: meshcore-observer`, `radio:` this bearer). */
  rawPacketSource(): RawPacketSource {
    return this.init.stack.rawPackets;
  }

  /** The companion port (the system's choice when configured as 0). */
  get companionPort(): number | undefined {
    return this.state === 'up' ? this.init.stack.companionPort() : undefined;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    const i = this.init;
    try {
      await i.radio.start();
      await i.stack.start();
      await i.gateway.start();
    } catch (err) {
      this.lastError = (err as Error).message;
      await this.stop();
      throw err;
    }
    this.offGauges = i.metrics?.addSource({
      bearer: i.name,
      cumulative: () => {
        const c = i.stack.mesh.counters;
        const n = i.stack.counts();
        return {
          sentFlood: c.sentFlood, sentDirect: c.sentDirect, forwarded: c.forwarded,
          dropped: { ...c.dropped, 'duplicate-flood': c.floodDups, 'duplicate-direct': c.directDups },
          advertsHeard: n.advertsHeard, advertsSent: n.advertsSent, loginsOk: n.loginsOk, loginsFailed: n.loginsFailed,
        };
      },
      clients: () => i.stack.device.clients(),
      contacts: () => i.stack.contacts(),
      neighbours: () => i.stack.neighbours().length,
      txQueue: () => i.stack.mesh.queueLength(),
    });
    this.state = 'up';
    const m = i.radio.modulation;
    i.log.info('native MeshCore node up', {
      bearer: i.name, name: i.stack.nodeName(), key: this.keyHex.slice(0, 16), role: i.role, region: i.region, preset: i.preset,
      frequencyMHz: m.frequencyHz / 1e6, bandwidthKHz: m.bandwidthHz / 1e3, sf: m.spreadingFactor, cr: `4/${m.codingRate}`,
      companion: i.companion ? `${i.companion.host}:${i.stack.companionPort()}` : 'off', device: i.device,
    });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    const i = this.init;
    this.offGauges?.();
    this.offGauges = undefined;
    await i.gateway.stop().catch(() => undefined);
    await i.stack.stop().catch((err: Error) => i.log.warn('native MeshCore node did not stop cleanly', { bearer: i.name, err: err.message }));
    await i.radio.stop();
  }

  on<E extends keyof BearerEvents>(event: E, listener: BearerEvents[E]): () => void {
    return this.init.gateway.on(event, listener);
  }

  canReach(peer: PeerId): boolean {
    return this.state === 'up' && this.init.gateway.canReach(peer);
  }

  send(frame: OutFrame, options: { signal?: AbortSignal } = {}): Promise<SendResult> {
    return this.init.gateway.send(frame, options);
  }

  sendText(request: RadioText): Promise<RadioSendResult> {
    return this.init.gateway.sendText(request);
  }

  radio(): RadioInfo {
    const g = this.init.gateway.radio();
    const m = this.init.radio.modulation;
    const { displacement: _never, ...link } = g.link;
    return {
      ...g,
      // The chip, not an in-memory link, is what the user configured; it is never displaced.
      link: { ...link, device: this.init.device },
      self: { ...g.self, address: `mc:${this.keyHex}`, publicKey: this.keyHex, name: this.init.stack.nodeName(), role: this.init.role, hardware: `SX126x (${this.init.device})` },
      modulation: {
        frequencyHz: m.frequencyHz, bandwidthHz: m.bandwidthHz, spreadingFactor: m.spreadingFactor, codingRate: m.codingRate,
        preambleLength: m.preambleLength, preset: this.init.preset, region: this.init.region, txPowerDbm: m.txPowerDbm,
      },
    };
  }

  status(): BearerStatus {
    const i = this.init;
    const g = i.gateway.status();
    const m = i.radio.modulation;
    const counters = i.stack.mesh.counters;
    return {
      name: this.name,
      kind: 'meshcore-native',
      mode: 'sync',
      state: this.state === 'up' ? (g.state === 'up' ? 'up' : 'starting') : this.state === 'starting' ? 'starting' : 'stopped',
      peers: g.peers,
      detail: {
        ...g.detail,
        link: undefined,
        displacement: undefined,
        device: i.device,
        publicKey: this.keyHex,
        nodeName: i.stack.nodeName(),
        role: i.role,
        region: i.region,
        preset: i.preset,
        frequencyHz: m.frequencyHz,
        bandwidthHz: m.bandwidthHz,
        spreadingFactor: m.spreadingFactor,
        codingRate: m.codingRate,
        floodScope: i.floodScope,
        neighbours: i.stack.neighbours(),
        loggedIn: i.stack.loggedIn(),
        clients: this.state === 'up' ? i.stack.device.clients() : 0,
        companion: i.companion && this.state === 'up' ? `${i.companion.host}:${i.stack.companionPort()}` : undefined,
        counters: {
          heard: counters.recvFlood + counters.recvDirect,
          sentFlood: counters.sentFlood,
          sentDirect: counters.sentDirect,
          forwarded: counters.forwarded,
          floodDups: counters.floodDups,
          directDups: counters.directDups,
          recvErrors: counters.recvErrors,
          dropped: { ...counters.dropped },
          ...i.stack.counts(),
        },
        txQueue: i.stack.mesh.queueLength(),
        airUtilTxPercent: i.utilisation.txUtilisationPercent(),
        channelUtilizationPercent: i.utilisation.channelUtilisationPercent(),
        lastError: this.lastError,
      },
    };
  }
}
