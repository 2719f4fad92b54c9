/**
 * The device half of the client API, one per node (firmware MeshService + the local modules a client talks to):
 * it owns the DeviceState, the connected clients (PhoneApi, one per connection, any number at once), the backlog of
 * packets that arrived while no client was connected, and the AdminModule. It talks to the mesh only through a
 * MeshPort: the simulator's simulated mesh or the native node's router.
 *
 * Who gets what (the firmware has one shared queue; with several clients each has its own):
 * - a packet from the mesh reaches every connected client (each has its own bounded queue);
 * - an answer to a client's request (admin responses, routing ACK/NAK and replies whose request_id is one of that
 *   client's packet ids, its QueueStatus, its rate-limit notices) goes to that client only;
 * - with no client connected, mesh packets wait in a backlog bounded like MAX_RX_TOPHONE, taken by the next client
 *   that starts a handshake.
 */
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Admin, type Config, Mesh, Portnums } from '@meshtastic/protobufs';
import { every, systemClock, type Clock } from '../../../lib/clock/clock.js';
import { NODENUM_BROADCAST } from '../node-id.js';
import { AdminModule, type DeviceChange } from './admin-module.js';
import type { DeviceState } from './device-state.js';
import type { MeshPort } from './mesh-port.js';
import { PhoneApi, type ClientSink } from './phone-api.js';
import { ToPhoneQueue, MAX_RX_TOPHONE } from './to-phone-queue.js';

/** firmware MAX_TX_QUEUE: what QueueStatus reports when the port does not say. */
const DEFAULT_TX_QUEUE = 16;
/** How many of the clients' packet ids are remembered to route answers back (a few minutes of traffic). */
const REQUESTERS_REMEMBERED = 256;
/** SerialConsole / ServerAPI idle timeout: 15 min without a ToRadio. */
export const API_IDLE_TIMEOUT_MS = 15 * 60 * 1000;

export interface DeviceServiceStats {
  clientsAttached: number;
  packetsFromClients: number;
  packetsToClients: number;
  /** Packets lost to full client queues or a full backlog (MeshService::sendToPhone eviction). */
  toPhoneDropped: number;
  adminHandled: number;
  adminRefused: number;
  malformedToRadio: number;
  rateLimited: number;
  duplicatesIgnored: number;
  reboots: number;
}

export interface DeviceServiceOptions {
  state: DeviceState;
  mesh: MeshPort;
  clock?: Clock;
  /** Time for rate limits and idle checks when it differs from `clock` (a test's skip clock). Default clock.now. */
  now?: () => number;
  /** Packet ids, session keys (seeded in the simulator). */
  random?: () => number;
  log?: (line: string) => void;
  /** The node reboots (admin reboot, a config change that needs it, factory reset). Default: every client loses
   * its connection after `seconds`, as a rebooting node's clients do, and the service starts afresh. */
  onReboot?: (seconds: number) => void;
  /** Settings a client changed (the radio retunes on `config`, the router reloads `channels`, NodeInfo on `owner`). */
  onChange?: (what: DeviceChange) => void;
  /** PositionModule::sendOurPosition (after AdminModule set_fixed_position). */
  sendOurPosition?: () => void;
  /** Our User as the nodeinfo ping broadcasts it; default the saved owner (a runtime that runs the node in another
   * role for a while, runtime/power, says that role, as the mesh router's NodeInfo module does). */
  ownUser?: () => Mesh.User;
  /** A config section as clients read it (handshake, get_config); default the saved one. A runtime that runs the
   * node on live values for a while (runtime/power: a lowered transmit power, ROUTER as CLIENT) shows them; the
   * saved config is not changed (admin-module.ts LiveView). */
  configView?: (section: Config.Config) => Config.Config;
  /** Per-client packet queue and the no-client backlog (MAX_RX_TOPHONE). */
  queueCapacity?: number;
  /** Idle timeout per client (PhoneAPI::checkConnectionTimeout); 0 = never. */
  apiIdleTimeoutMs?: number;
  /** How often pending NodeDB updates (last heard, SNR) are written; 0 = only at stop. */
  flushIntervalMs?: number;
  /** 2.8-dev handshake (FromRadio.region_presets after metadata): the simulator's `firmware28`. */
  regionPresets?: boolean;
  /** FromRadio.fileInfo entries of the handshake (the firmware lists its /prefs files). */
  filesManifest?: Mesh.FileInfo[];
  /** Called when a client starts a handshake, before the node list is read (a simulator refreshes its NodeDB). */
  onHandshake?: () => void;
  /** Observers of every framed FromRadio a client is about to get (simulator faults and logs). */
  beforeWrite?: (api: PhoneApi, fromRadio: Uint8Array) => void;
}

export class DeviceService {
  readonly state: DeviceState;
  readonly stats: DeviceServiceStats = {
    clientsAttached: 0, packetsFromClients: 0, packetsToClients: 0, toPhoneDropped: 0, adminHandled: 0, adminRefused: 0,
    malformedToRadio: 0, rateLimited: 0, duplicatesIgnored: 0, reboots: 0,
  };
  readonly filesManifest: Mesh.FileInfo[];
  private readonly apis = new Set<PhoneApi>();
  private readonly backlog: ToPhoneQueue;
  private readonly requesters = new Map<number, PhoneApi>();
  private readonly admin: AdminModule;
  private readonly clock: Clock;
  private readonly random: () => number;
  private nextId: number;
  private running?: AbortController;
  private unsubscribe: Array<() => void> = [];

  constructor(private readonly o: DeviceServiceOptions) {
    this.state = o.state;
    this.clock = o.clock ?? systemClock;
    this.random = o.random ?? Math.random;
    this.backlog = new ToPhoneQueue(o.queueCapacity ?? MAX_RX_TOPHONE);
    this.filesManifest = o.filesManifest ?? [];
    this.nextId = Math.floor(this.random() * 0x3ff);
    this.admin = new AdminModule(this.state, {
      reboot: (s) => this.scheduleReboot(s),
      shutdown: (s) => this.log(`shutdown in ${s} s requested; this node keeps running`),
      changed: (what) => this.o.onChange?.(what),
      log: (l) => this.log(l),
      sendOurPosition: () => this.o.sendOurPosition?.(),
    }, () => Math.floor(this.clock.now() / 1000), this.random, o.ownUser || o.configView ? {
      config: (section) => this.clientConfig(section),
      owner: () => this.clientOwner(),
    } : undefined);
  }

  /** A config section as clients read it (DeviceServiceOptions.configView). */
  clientConfig(section: Config.Config): Config.Config {
    return this.o.configView ? this.o.configView(section) : section;
  }

  /** Our User as clients read it (DeviceServiceOptions.ownUser). */
  clientOwner(): Mesh.User {
    return this.o.ownUser?.() ?? this.state.owner;
  }

  get sendsRegionPresets(): boolean {
    return this.o.regionPresets ?? false;
  }

  /** Clients attached (whether or not they started a handshake). */
  get clients(): PhoneApi[] {
    return [...this.apis];
  }

  /** Clients with a session (want_config seen, not closed). */
  get connectedClients(): number {
    let n = 0;
    for (const a of this.apis) if (a.isConnected) n++;
    return n;
  }

  get backlogLength(): number {
    return this.backlog.length;
  }

  now(): number {
    return this.o.now ? this.o.now() : this.clock.now();
  }

  log(line: string): void {
    this.o.log?.(line);
  }

  start(): void {
    if (this.running) return;
    const ac = (this.running = new AbortController());
    this.unsubscribe.push(this.o.mesh.onToPhone((p) => this.fromMesh(p)));
    const onQs = this.o.mesh.onQueueStatus?.((qs) => this.queueStatusToAll(create(Mesh.QueueStatusSchema, { res: qs.res ?? 0, free: qs.free, maxlen: qs.maxlen, meshPacketId: (qs.meshPacketId ?? 0) >>> 0 })));
    if (onQs) this.unsubscribe.push(onQs);
    const idle = this.o.apiIdleTimeoutMs ?? API_IDLE_TIMEOUT_MS;
    if (idle > 0) every(this.clock, Math.max(10, Math.min(1000, idle / 4)), () => this.checkConnectionTimeouts(idle), ac.signal);
    const flush = this.o.flushIntervalMs ?? 60_000;
    if (flush > 0) every(this.clock, flush, () => this.state.flush(), ac.signal);
  }

  stop(): void {
    this.running?.abort();
    this.running = undefined;
    for (const u of this.unsubscribe.splice(0)) u();
    for (const api of [...this.apis]) this.detach(api);
    this.state.flush();
  }

  /** A new connection (an accepted socket, an opened port). Nothing is sent until it asks with want_config_id. */
  attach(sink: ClientSink): PhoneApi {
    const api = new PhoneApi(this, sink, this.o.queueCapacity);
    this.apis.add(api);
    this.stats.clientsAttached++;
    return api;
  }

  /** The connection is gone: its session ends and what it had not read goes back to the backlog if nobody else is
   * connected (the firmware's shared queue would still hold it). */
  detach(api: PhoneApi): void {
    api.close();
    api.closed = true;
    this.apis.delete(api);
  }

  /** A reboot: every client's session and queue, and the backlog, are gone with the RAM. */
  resetForReboot(): void {
    this.stats.reboots++;
    this.backlog.clear();
    this.requesters.clear();
    for (const api of this.apis) api.resetForReboot();
    this.backlog.clear();
  }

  /** PhoneAPI::checkConnectionTimeout / ServerAPI::runOnce: a client silent for too long is closed. */
  private checkConnectionTimeouts(idleMs: number): void {
    const now = this.now();
    for (const api of [...this.apis]) {
      // HttpAPI::checkIsConnected() is always true on the firmware: an HTTP client that only polls fromradio is never
      // timed out here (its host ends idle HTTP sessions, http-sessions.ts).
      if (api.sink.kind === 'http') continue;
      if (now - api.lastContact <= idleMs) continue;
      if (api.sink.kind === 'tcp') {
        this.log(`TCP connection timeout, no data for ${Math.round(now - api.lastContact)} ms`);
        (api.sink.end ?? api.sink.close).call(api.sink);
      } else if (api.isConnected) {
        this.log(`${api.name}: client timed out; PhoneAPI::close()`);
        api.close();
      }
    }
  }

  // ---- called by PhoneApi -----------------------------------------------------------------------------------------

  handshakeStarting(): void {
    this.o.onHandshake?.();
  }

  clientConnected(api: PhoneApi): void {
    // The first client after a quiet spell gets what waited (MeshService's queue outlives its readers).
    this.backlog.moveTo(api.toPhone);
  }

  clientDisconnected(api: PhoneApi): void {
    for (const other of this.apis) if (other !== api && other.isConnected) return;
    api.toPhone.moveTo(this.backlog);
  }

  noteMalformed(api: PhoneApi): void {
    this.stats.malformedToRadio++;
    this.log(`${api.name}: Error: ignore malformed toradio`);
  }

  noteDuplicate(api: PhoneApi): void {
    this.stats.duplicatesIgnored++;
    this.log(`${api.name}: Ignore packet from phone, already seen recently`);
  }

  noteRateLimited(api: PhoneApi, portnum: number): void {
    this.stats.rateLimited++;
    this.log(`${api.name}: Rate limit portnum ${portnum}`);
  }

  beforeWrite(api: PhoneApi, fromRadio: Uint8Array): void {
    this.o.beforeWrite?.(api, fromRadio);
  }

  afterWrite(_api: PhoneApi): void {
    this.stats.packetsToClients++;
  }

  /** Router::getQueueStatus with a result code and packet id (MeshService::sendQueueStatusToPhone). */
  queueStatusFor(res: number, meshPacketId: number): Mesh.QueueStatus {
    const q = this.o.mesh.queueStatus?.();
    return create(Mesh.QueueStatusSchema, { res, free: q?.free ?? DEFAULT_TX_QUEUE, maxlen: q?.maxlen ?? DEFAULT_TX_QUEUE, meshPacketId: meshPacketId >>> 0 });
  }

  /** MeshService::handleToRadio + sendToMesh for one client's packet. */
  handleToRadio(api: PhoneApi, p: Mesh.MeshPacket): void {
    this.stats.packetsFromClients++;
    p.from = 0; // clients do not pick our node number, next hop or relay node
    p.nextHop = 0;
    p.relayNode = 0;
    if (p.id === 0) p.id = this.generatePacketId();
    p.rxTime = Math.floor(Date.now() / 1000);
    const id = p.id >>> 0;
    this.rememberRequester(id, api);
    if (p.to >>> 0 === this.state.myNodeNum) {
      // Router::sendLocal: to us → handled here, never on the air.
      api.enqueueQueueStatus(this.queueStatusFor(0, id));
      this.handleLocal(api, p);
    } else {
      const sentId = this.o.mesh.sendFromPhone(p) >>> 0;
      if (sentId !== id) this.rememberRequester(sentId, api);
      const q = this.o.mesh.queueStatus?.();
      const res = q?.meshPacketId !== undefined && q.meshPacketId >>> 0 === sentId ? q.res ?? 0 : 0;
      api.enqueueQueueStatus(this.queueStatusFor(res, sentId));
    }
    this.wake(api);
  }

  /** MeshModule::callModules for a client's packet addressed to our own node. */
  private handleLocal(api: PhoneApi, p: Mesh.MeshPacket): void {
    if (p.payloadVariant.case !== 'decoded') return;
    const d = p.payloadVariant.value;
    let replied = false;
    if (d.portnum === Portnums.PortNum.ADMIN_APP) {
      let msg: Admin.AdminMessage | undefined;
      try {
        msg = fromBinary(Admin.AdminMessageSchema, d.payload);
      } catch {
        this.stats.malformedToRadio++;
        this.log(`${api.name}: Error decoding protobuf module! (admin)`);
      }
      if (msg) {
        const refusedBefore = this.admin.refused;
        const answer = this.admin.handle(p, msg);
        this.stats.adminHandled++;
        this.stats.adminRefused += this.admin.refused - refusedBefore;
        if (answer) {
          replied = true;
          const reply = 'admin' in answer
            ? this.replyTo(p, Portnums.PortNum.ADMIN_APP, toBinary(Admin.AdminMessageSchema, answer.admin), Mesh.MeshPacket_Priority.RELIABLE)
            : this.routingReply(p, answer.routing);
          // AdminModule: "if (mp.pki_encrypted && myReply) myReply->pki_encrypted = true"
          reply.pkiEncrypted = p.pkiEncrypted;
          api.enqueuePacket(reply);
        }
      }
    }
    // ReliableRouter::sniffReceived: a want_ack packet nobody answered gets an ACK.
    if (!replied && p.wantAck && !d.requestId && !d.replyId) api.enqueuePacket(this.routingReply(p, Mesh.Routing_Error.NONE));
    // MeshModule::callModules: a want_response nobody answered is told NO_RESPONSE.
    if (!replied && d.wantResponse) api.enqueuePacket(this.routingReply(p, Mesh.Routing_Error.NO_RESPONSE));
  }

  /** MeshService::sendRoutingErrorResponse → RoutingModule::sendAckNak(err, mp->from, …): addressed to the `from`
   * the client put in its packet; only one addressed to us reaches a client (and then the one that sent it). */
  routingErrorToClient(api: PhoneApi, err: Mesh.Routing_Error, p: Mesh.MeshPacket): void {
    if (p.from >>> 0 !== this.state.myNodeNum) {
      this.log(`NAK ${Mesh.Routing_Error[err]} for 0x${(p.id >>> 0).toString(16)} addressed to from=${p.from >>> 0}, not delivered`);
      return;
    }
    api.enqueuePacket(this.routingReply(p, err));
    this.wake(api);
  }

  /** A heartbeat with nonce 1: NodeInfoModule::sendOurNodeInfo(NODENUM_BROADCAST, wantReplies = true). */
  broadcastOwnNodeInfo(): void {
    this.log('Broadcasting nodeinfo ping');
    const user = toBinary(Mesh.UserSchema, this.clientOwner());
    this.o.mesh.sendFromPhone(create(Mesh.MeshPacketSchema, {
      to: NODENUM_BROADCAST,
      channel: 0,
      payloadVariant: { case: 'decoded', value: { portnum: Portnums.PortNum.NODEINFO_APP, payload: user, wantResponse: true } },
    }));
  }

  // ---- from the mesh ----------------------------------------------------------------------------------------------

  /** MeshService::sendToPhone: an answer to one client's packet goes to that client; the rest to every client. */
  private fromMesh(p: Mesh.MeshPacket): void {
    const requestId = p.payloadVariant.case === 'decoded' ? p.payloadVariant.value.requestId >>> 0 : 0;
    const requester = requestId && p.to >>> 0 === this.state.myNodeNum ? this.requesters.get(requestId) : undefined;
    if (requester && this.apis.has(requester) && requester.isConnected) {
      requester.enqueuePacket(p);
      this.wake(requester);
      return;
    }
    let delivered = false;
    for (const api of this.apis) {
      if (!api.isConnected) continue;
      const before = api.toPhone.dropped;
      api.enqueuePacket(p);
      this.stats.toPhoneDropped += api.toPhone.dropped - before;
      delivered = true;
      this.wake(api);
    }
    if (!delivered) {
      const before = this.backlog.dropped;
      this.backlog.push(p);
      this.stats.toPhoneDropped += this.backlog.dropped - before;
    }
  }

  /** MeshService::loop: the TX queue has room again → every client hears it. */
  private queueStatusToAll(qs: Mesh.QueueStatus): void {
    for (const api of this.apis) {
      if (!api.isConnected) continue;
      api.enqueueQueueStatus(create(Mesh.QueueStatusSchema, qs));
      this.wake(api);
    }
  }

  // ---- plumbing ---------------------------------------------------------------------------------------------------

  /** fromNumChanged → the client drains (StreamAPI polls; BLE notifies): after the current turn, so a burst goes
   * out together and a reply never overtakes the QueueStatus queued before it. */
  private wake(api: PhoneApi): void {
    queueMicrotask(() => {
      if (api.isSendingPackets) api.drain();
    });
  }

  private rememberRequester(id: number, api: PhoneApi): void {
    this.requesters.delete(id);
    this.requesters.set(id, api);
    if (this.requesters.size > REQUESTERS_REMEMBERED) this.requesters.delete(this.requesters.keys().next().value!);
  }

  /** Router::generatePacketId: random high bits, a rolling 10-bit counter in the low ones, never 0. */
  generatePacketId(): number {
    this.nextId = (this.nextId + 1) & 0x3ff;
    const id = ((Math.floor(this.random() * 0x400000) << 10) | this.nextId) >>> 0;
    return id === 0 ? 1 : id;
  }

  /** allocDataPacket + setReplyTo for a reply to a local client's request (from 0 → to our own node number). */
  private replyTo(req: Mesh.MeshPacket, portnum: Portnums.PortNum, payload: Uint8Array, priority: Mesh.MeshPacket_Priority): Mesh.MeshPacket {
    const me = this.state.myNodeNum;
    return create(Mesh.MeshPacketSchema, {
      from: me,
      to: req.from === 0 ? me : req.from >>> 0,
      channel: req.channel,
      id: this.generatePacketId(),
      rxTime: Math.floor(Date.now() / 1000),
      hopLimit: this.state.hopLimit,
      wantAck: false, // "No need for an ack if we are just delivering locally"
      priority,
      payloadVariant: { case: 'decoded', value: { portnum, payload, requestId: req.id >>> 0 } },
    });
  }

  /** RoutingModule::allocAckNak */
  private routingReply(req: Mesh.MeshPacket, err: Mesh.Routing_Error): Mesh.MeshPacket {
    const routing = toBinary(Mesh.RoutingSchema, create(Mesh.RoutingSchema, { variant: { case: 'errorReason', value: err } }));
    return this.replyTo(req, Portnums.PortNum.ROUTING_APP, routing, Mesh.MeshPacket_Priority.ACK);
  }

  private scheduleReboot(seconds: number): void {
    this.log(`Reboot in ${seconds} seconds`);
    if (this.o.onReboot) return this.o.onReboot(seconds);
    const signal = this.running?.signal;
    this.clock.sleep(Math.max(0, seconds) * 1000, { signal }).then(() => {
      for (const api of [...this.apis]) api.sink.close();
      this.resetForReboot();
    }, () => undefined);
  }
}
