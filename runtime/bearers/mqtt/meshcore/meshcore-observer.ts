/**
 * The MeshCore observer of one radio on one broker (role meshcore-observer), as a bearer: every raw frame the radio
 * hears goes to `<root>/<IATA>/<PUBKEY>/packets` and the observer's state to `.../status` (online on connect,
 * offline as the Last Will and on stop), in the layout and with the login the community brokers use (auth-token.ts,
 * observer-messages.ts). Publishing only queues (broker-link.ts): a broker that is down never holds up the radio.
 */
import type { Clock } from '../../../../lib/clock/clock.js';
import type { BearerStatus } from '../../../bearer/bearer.js';
import type { Logger } from '../../../log/logger.js';
import { VERSION } from '../../../version.js';
import { BrokerLink, type BrokerLinkOptions } from '../broker-link.js';
import { MqttGatewayRadioError } from '../errors.js';
import { GatewayBearer, type BearerLookup } from '../gateway-bearer.js';
import type { LinkMetrics } from '../link-metrics.js';
import { brokerUsername, createAuthToken } from './auth-token.js';
import { packetMessage, statusMessage, type Origin } from './observer-messages.js';
import { hasRawPacketSource, type RawPacketSource } from './raw-packet-source.js';

/** How long a login token is valid; a new one is made for every connection attempt. */
const TOKEN_LIFETIME_S = 24 * 3600;

export interface MeshcoreObserverOptions {
  name: string;
  radio: string;
  lookup: BearerLookup;
  url: string;
  /** Default `meshcore`. */
  root?: string;
  iata: string;
  /** Default the broker's host name. */
  audience?: string;
  /** Fixed credentials instead of the token login (a private broker). */
  username?: string;
  password?: string;
  link: Omit<BrokerLinkOptions, 'name' | 'url' | 'clientId' | 'credentials' | 'will' | 'onConnect' | 'clock' | 'log' | 'metrics'>;
  clock: Clock;
  log: Logger;
  metrics: LinkMetrics;
}

export class MeshcoreObserver extends GatewayBearer {
  private state: BearerStatus['state'] = 'stopped';
  private source?: RawPacketSource;
  private link?: BrokerLink;
  private off?: () => void;
  private statusPayload?: (s: 'online' | 'offline') => Uint8Array;

  constructor(private readonly o: MeshcoreObserverOptions) {
    super(o.name);
  }

  private origin(source: RawPacketSource): Origin {
    return { name: source.name(), id: Buffer.from(source.publicKey).toString('hex').toUpperCase() };
  }

  private topic(source: RawPacketSource, sub: 'packets' | 'status'): string {
    return `${this.o.root ?? 'meshcore'}/${this.o.iata}/${this.origin(source).id}/${sub}`;
  }

  async start(): Promise<void> {
    if (this.state !== 'stopped') return;
    const bearer = this.o.lookup(this.o.radio);
    if (!bearer) throw new MqttGatewayRadioError(this.name, this.o.radio, `mqtt ${this.name}: no radio named ${this.o.radio}`);
    if (!hasRawPacketSource(bearer)) throw new MqttGatewayRadioError(this.name, this.o.radio, `mqtt ${this.name}: ${this.o.radio} is not a native MeshCore radio`);
    const source = (this.source = bearer.rawPacketSource());
    this.startWith(source);
  }

  /** Starts on a source directly (tests, and radios that are not bearers). */
  startWith(source: RawPacketSource): void {
    this.source = source;
    this.state = 'up';
    const audience = this.o.audience ?? new URL(this.o.url).hostname;
    const status = (this.statusPayload = (s: 'online' | 'offline') => new TextEncoder().encode(JSON.stringify(statusMessage(s, this.origin(source), this.o.clock.now(), { clientVersion: `lattice/${VERSION}`, ...(source.radioSummary ? { radio: source.radioSummary() } : {}) }))));
    this.link = new BrokerLink({
      ...this.o.link,
      name: this.name,
      url: this.o.url,
      clientId: `lattice_${this.origin(source).id.slice(0, 16)}`,
      credentials: this.o.username !== undefined
        ? { username: this.o.username, ...(this.o.password !== undefined ? { password: this.o.password } : {}) }
        : async () => {
          const iat = Math.floor(this.o.clock.now() / 1000);
          return { username: brokerUsername(source.publicKey), password: createAuthToken(source.publicKey, (m) => source.sign(m), { aud: audience, iat, exp: iat + TOKEN_LIFETIME_S }) };
        },
      // The brokers strip retain from status; the Will says offline when we vanish.
      will: { topic: this.topic(source, 'status'), payload: status('offline'), retain: false },
      onConnect: () => this.link?.publish(this.topic(source, 'status'), status('online')),
      clock: this.o.clock,
      log: this.o.log,
      metrics: this.o.metrics,
    });
    this.off = source.onRawPacket((p) => {
      const m = packetMessage(p, this.origin(source));
      if (!m) {
        this.o.metrics.dropped('observer-bad-frame');
        return;
      }
      this.link?.publish(this.topic(source, 'packets'), new TextEncoder().encode(JSON.stringify(m)));
    });
    this.link.start();
    this.o.log.info('meshcore observer started', { bearer: this.name, radio: this.o.radio, topic: this.topic(source, 'packets') });
  }

  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.off?.();
    this.off = undefined;
    const source = this.source;
    await this.link?.stop(source && this.statusPayload ? { farewell: { topic: this.topic(source, 'status'), payload: this.statusPayload('offline') } } : {});
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
        role: 'meshcore-observer',
        radio: this.o.radio,
        iata: this.o.iata,
        ...(this.source ? { observerId: this.origin(this.source).id, topic: this.topic(this.source, 'packets') } : {}),
        ...(this.link ? this.link.status() : { connected: false }),
        counters: { ...this.o.metrics.counters },
      },
    };
  }
}
