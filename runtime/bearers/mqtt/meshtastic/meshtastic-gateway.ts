/**
 * The Meshtastic MQTT gateway of one radio on one broker (firmware src/mqtt/MQTT.cpp, 2.7), as a bearer:
 * - uplink: every packet the router hands the tap (gateway-tap.ts) goes through uplink.ts's rules to
 *   `<root>/2/e/<channel>/!<gateway>` as a ServiceEnvelope (the encrypted packet as heard unless decryptedUplink);
 * - downlink: `<root>/2/e/<channel>/+` for each downlink channel (and `<root>/2/e/PKI/+`) through downlink.ts's
 *   rules into the router as if received; what the router rebroadcasts pays airtime against the duty cycle like any
 *   frame (the radio's governor);
 * - map reports on `<root>/2/map/` every intervalS when enabled and the node has a position.
 * Nothing is published and nothing subscribed while no switch is on: the link is not even opened.
 * Every refusal is counted in lattice_mqtt_dropped_total{reason}.
 */
import { nodeIdString } from '../../../../firmware-protocol/meshtastic/node-id.js';
import type { TappedPacket } from '../../../../firmware-protocol/meshtastic/mesh/gateway-tap.js';
import type { Clock } from '../../../../lib/clock/clock.js';
import { timersOf, type CancelTimer } from '../../../../lib/clock/timer-clock.js';
import type { BearerStatus } from '../../../bearer/bearer.js';
import type { Logger } from '../../../log/logger.js';
import { BrokerLink, type BrokerLinkOptions } from '../broker-link.js';
import { MqttGatewayRadioError } from '../errors.js';
import { GatewayBearer, type BearerLookup } from '../gateway-bearer.js';
import type { LinkMetrics } from '../link-metrics.js';
import type { MapReportsConfig, MqttChannelConfig } from '../mqtt-config.js';
import { downlinkOf } from './downlink.js';
import { companionNeedsDecrypted, hasMeshtasticGatewayRadio, type MeshtasticGatewayRadio } from './gateway-radio.js';
import { mapReportMessage } from './map-report.js';
import { isDefaultServer, isPrivateBroker, uplinkOf } from './uplink.js';

export interface MeshtasticGatewayOptions {
  name: string;
  /** The `lora[].name` of the radio. */
  radio: string;
  /** Finds the radio's bearer when the gateway starts. */
  lookup: BearerLookup;
  url: string;
  /** Default `msh/<region>`. */
  root?: string;
  uplink: boolean;
  downlink: boolean;
  decryptedUplink: boolean;
  channels: MqttChannelConfig[];
  mapReports: MapReportsConfig;
  link: Omit<BrokerLinkOptions, 'name' | 'url' | 'clientId' | 'subscriptions' | 'onMessage' | 'clock' | 'log' | 'metrics'>;
  clock: Clock;
  log: Logger;
  metrics: LinkMetrics;
}

export class MeshtasticGateway extends GatewayBearer {
  private state: BearerStatus['state'] = 'stopped';
  private radio?: MeshtasticGatewayRadio;
  private link?: BrokerLink;
  private offTap?: () => void;
  private mapTimer?: CancelTimer;
  private lastMapReportAt?: number;
  private ready?: AbortController;
  private readonly private: boolean;
  private readonly defaultServer: boolean;

  constructor(private readonly o: MeshtasticGatewayOptions) {
    super(o.name);
    this.private = isPrivateBroker(o.url);
    this.defaultServer = isDefaultServer(o.url);
  }

  get gatewayId(): string | undefined {
    return this.radio && this.radio.nodeNum !== 0 ? nodeIdString(this.radio.nodeNum) : undefined;
  }

  private get root(): string {
    return this.o.root ?? `msh/${this.radio!.region}`;
  }

  private uplinkFor = (channel: string): boolean => this.override(channel)?.uplink ?? this.o.uplink;
  private downlinkFor = (channel: string): boolean => this.override(channel)?.downlink ?? this.o.downlink;

  private override(channel: string): MqttChannelConfig | undefined {
    return this.o.channels.find((c) => c.name === channel);
  }

  /** Whether anything would ever go to or come from the broker (firmware wantsLink). */
  private wantsLink(): boolean {
    const names = [...this.radio!.channels().map((c) => c.name), ...this.o.channels.map((c) => c.name)];
    return this.o.mapReports.enabled || names.some((n) => this.uplinkFor(n) || this.downlinkFor(n));
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    const bearer = this.o.lookup(this.o.radio);
    if (!bearer) throw new MqttGatewayRadioError(this.name, this.o.radio, `mqtt ${this.name}: no radio named ${this.o.radio}`);
    if (!hasMeshtasticGatewayRadio(bearer)) throw new MqttGatewayRadioError(this.name, this.o.radio, `mqtt ${this.name}: ${this.o.radio} is not a Meshtastic radio (a native one, or a companion radio)`);
    const radio = bearer.meshtasticGatewayRadio();
    if (radio.decodedOnly && !this.o.decryptedUplink) throw new MqttGatewayRadioError(this.name, this.o.radio, companionNeedsDecrypted(this.name, this.o.radio));
    this.radio = radio;
    this.state = 'up';
    if (!radio.whenReady) return this.open(radio);
    // A companion radio is known after its handshake: the gateway (and its broker session) waits for it, the daemon not.
    const ready = (this.ready = new AbortController());
    radio.whenReady(ready.signal).then(() => {
      if (this.state === 'up' && this.ready === ready) this.open(radio);
    }, () => undefined);
  }

  private open(radio: MeshtasticGatewayRadio): void {
    if (!this.wantsLink()) {
      // "Defaults are the firmware's public broker settings, but nothing is sent anywhere until enabled."
      this.o.log.info('meshtastic gateway idle: no uplink, downlink or map reports enabled', { bearer: this.name, radio: this.o.radio });
      return;
    }
    const gatewayId = nodeIdString(radio.nodeNum);
    this.link = new BrokerLink({
      ...this.o.link,
      name: this.name,
      url: this.o.url,
      clientId: gatewayId, // MQTT.cpp connectPubSub: the node id is the client id
      subscriptions: () => this.subscriptions(),
      onMessage: (topic, payload) => this.onDownlink(topic, payload),
      onConnect: () => this.perhapsReportToMap(true),
      clock: this.o.clock,
      log: this.o.log,
      metrics: this.o.metrics,
    });
    this.offTap = radio.onTapped((t) => this.onTapped(t));
    this.link.start();
    if (this.o.mapReports.enabled) this.armMapReports();
    this.o.log.info('meshtastic gateway started', { bearer: this.name, radio: this.o.radio, gatewayId, root: this.root });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.ready?.abort();
    this.ready = undefined;
    this.offTap?.();
    this.offTap = undefined;
    this.mapTimer?.();
    this.mapTimer = undefined;
    await this.link?.stop();
    this.link = undefined;
  }

  status(): BearerStatus {
    return {
      name: this.name,
      kind: 'mqtt',
      mode: this.mode,
      state: this.state === 'up' && this.link && !this.link.isConnected ? 'down' : this.state,
      peers: [],
      detail: {
        role: 'meshtastic',
        radio: this.o.radio,
        ...(this.gatewayId ? { gatewayId: this.gatewayId, root: this.root } : {}),
        enabled: this.link !== undefined,
        ...(this.link ? this.link.status() : { connected: false }),
        counters: { ...this.o.metrics.counters },
      },
    };
  }

  private subscriptions(): string[] {
    const radio = this.radio!;
    const down = radio.channels().filter((c) => this.downlinkFor(c.name));
    // MQTT.cpp sendSubscriptions: each downlink channel, and PKI when any channel has downlink.
    return down.length === 0 ? [] : [...down.map((c) => `${this.root}/2/e/${c.name}/+`), `${this.root}/2/e/PKI/+`];
  }

  private onTapped(t: TappedPacket): void {
    const radio = this.radio;
    if (!radio || !this.link) return;
    const r = uplinkOf(t, {
      nodeNum: radio.nodeNum, gatewayId: nodeIdString(radio.nodeNum), root: this.root, channels: radio.channels(),
      uplinkFor: this.uplinkFor, decryptedUplink: this.o.decryptedUplink, privateBroker: this.private, defaultServer: this.defaultServer,
    });
    if ('drop' in r) {
      // Counted by reason (a packet on a channel without uplink is `uplink-channel-off`): every refusal is visible.
      this.o.metrics.dropped(`uplink-${r.drop}`);
      return;
    }
    this.link.publish(r.topic, r.payload);
  }

  private onDownlink(_topic: string, payload: Uint8Array): void {
    const radio = this.radio;
    if (!radio || this.state !== 'up') return;
    const r = downlinkOf(payload, {
      nodeNum: radio.nodeNum, gatewayId: nodeIdString(radio.nodeNum), channels: radio.channels(),
      downlinkFor: this.downlinkFor, decryptedUplink: this.o.decryptedUplink, knowsUser: (n) => radio.knowsUser(n),
    });
    if ('drop' in r) {
      this.o.metrics.dropped(`downlink-${r.drop}`);
      return;
    }
    if ('implicitAck' in r) {
      // Not handled as received (counted as our own gateway's), but it tells us the broker, and so the mesh, has it.
      this.o.metrics.dropped('downlink-own-gateway');
      radio.implicitAck(r.implicitAck.id, r.implicitAck.channel);
      return;
    }
    const refused = radio.injectReceived(r.packet);
    if (refused) {
      this.o.metrics.dropped(`downlink-${refused}`);
      return;
    }
    this.o.metrics.downlinked();
  }

  private armMapReports(): void {
    const every = this.o.mapReports.intervalS * 1000;
    this.mapTimer = timersOf(this.o.clock).setTimer(every, () => {
      this.perhapsReportToMap(false);
      if (this.state === 'up') this.armMapReports();
    }, { unref: true, name: 'mqtt-map-report' });
  }

  /** MQTT.cpp perhapsReportToMap: at most once per interval, on connect and then on the timer. */
  private perhapsReportToMap(onConnect: boolean): void {
    const radio = this.radio;
    if (!radio || !this.link || !this.o.mapReports.enabled) return;
    const now = this.o.clock.now();
    if (onConnect && this.lastMapReportAt !== undefined && now - this.lastMapReportAt < this.o.mapReports.intervalS * 1000) return;
    const primary = radio.channels().find((c) => c.index === 0) ?? radio.channels()[0];
    const m = mapReportMessage({ facts: radio.mapReport(), nodeNum: radio.nodeNum, gatewayId: nodeIdString(radio.nodeNum), primaryChannel: primary?.name ?? 'LongFast', root: this.root, precisionBits: this.o.mapReports.precisionBits });
    if (!m) {
      this.o.metrics.dropped('map-report-no-position');
      this.o.log.debug('map report enabled, but the node has no position', { bearer: this.name });
      return;
    }
    this.lastMapReportAt = now;
    this.link.publish(m.topic, m.payload);
  }
}
