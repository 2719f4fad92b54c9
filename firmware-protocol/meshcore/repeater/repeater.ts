/**
 * examples/simple_repeater (MyMesh) as a MeshHandler over a MeshCoreMesh: the forwarding policy, periodic and
 * on-demand adverts, the neighbour table, remote admin (ANON_REQ login, REQ from ACL clients, CLI over TXT_MSG) and
 * node discovery. `createRepeater(options)` builds it; `start()` arms the adverts (the first one 16 s after start),
 * `stop()` disarms them and writes a pending ACL change.
 *
 * One node, one identity: the native node may put a companion (BaseChatMesh) beside this on the same mesh. The
 * repeater's peers are the ACL clients; every PeerMatch it returns carries a RepeaterPeerRef (`isRepeaterPeerRef`,
 * `repeater.ownsPeer`), so a combined handler hands onPeerDataRecv / onPeerPathRecv for those to this handler and
 * the rest to the companion. Both handlers' logRxRaw must be called (the status blob counts received frames there).
 */
import type { Clock } from '../../../lib/clock/clock.js';
import { timersOf } from '../../../lib/clock/timer-clock.js';
import type { MeshCoreMesh } from '../mesh/mesh-api.js';
import { rxDelayFromBase } from '../mesh/mesh-timing.js';
import type { MeshHandler, PeerMatch, ReceivedPacket } from '../mesh/mesh-handler.js';
import { ADV_TYPE, decodeAdvertData, encodeAdvertData } from '../ota/advert-data.js';
import { hasTransportCodes, type McPacket, type PathHashSize } from '../ota/packet.js';
import { ADVERT_LOC, type RepeaterPrefs } from './prefs.js';
import { AdvertSchedule, BOOT_ADVERT_DELAY_MS } from './advert-schedule.js';
import type { ClientInfo } from './client-acl.js';
import { floodRegion, forwardRefusal, retransmitDelayMs, type ForwardRefusal } from './forwarding-policy.js';
import { NeighbourTable, type NeighbourInfo } from './neighbours.js';
import { createRtcClock, type RtcClock } from './rtc-clock.js';
import { RepeaterPersistence } from './repeater-state.js';
import type { RepeaterStore } from './repeater-store.js';
import type { RepeaterStats } from '../ota/repeater-stats.js';
import type { RegionEntry } from './region-map.js';
import { NodeDiscovery } from './node-discovery.js';
import { formatCoreStats, formatPacketStats, formatRadioStats, repeaterStats } from './repeater-status.js';
import { sendFloodScoped } from './reply-routes.js';
import { RepeaterAdmin } from './repeater-admin.js';
import { applyPrefsPatch, setDefaultScope, setUnscopedFloods } from './repeater-config.js';

/** What the runtime may do for the repeater (the firmware's board and radio calls). All optional. */
export interface RepeaterHooks {
  /** CLI `reboot` / `clkreboot` (the firmware never returns; the runtime decides what a reboot is). */
  reboot?(): void;
  powerOff?(): void;
  /** CLI `tempradio`: apply these radio params 2 s from now for `timeoutMins`, then revert. */
  applyTempRadioParams?(freq: number, bw: number, sf: number, cr: number, timeoutMins: number): void;
  /** CLI `set tx`. */
  setTxPower?(dbm: number): void;
  /** CLI `set radio.rxgain`; false or absent = "Error: unsupported". */
  setRxBoostedGain?(on: boolean): boolean;
  /** CLI `set prv.key`: validate and save the new identity (applies after restart); its public key, or undefined. */
  importPrivateKey?(privateKey: Uint8Array): Uint8Array | undefined;
  /** CLI `get prv.key` (serial console only). */
  exportPrivateKey?(): Uint8Array;
}

export interface RepeaterOptions {
  mesh: MeshCoreMesh;
  /** Milliseconds and timers (a VirtualClock / ManualClock in tests). */
  clock: Clock;
  store: RepeaterStore;
  /** Values from configuration, applied over the stored prefs at construction (config wins; not a CLI change). */
  prefs?: Partial<RepeaterPrefs>;
  /** `meshcore.region`: a string sets the default flood scope ('#de'), null clears it, undefined keeps the stored one. */
  defaultScope?: string | null;
  /** The RTC; give the mesh the same one (rtcSeconds). Default: clock-based with offset 0 (MeshOptions' default). */
  rtc?: RtcClock;
  /**
   * Battery in mV (the power monitor of issue 16); absent or undefined = 0, what the firmware's boards without a
   * battery sense report (ESP32Board / STM32Board::getBattMilliVolts "not supported").
   */
  battery?: () => number | undefined;
  /** Radio noise floor in dBm for the status blob; absent = 0 (RadioLibWrapper's initial value). */
  noiseFloorDbm?: () => number | undefined;
  random?: () => number;
  log?: (line: string) => void;
  hooks?: RepeaterHooks;
  /** ENABLE_ADVERT_ON_BOOT (default true): a zero-hop advert 16 s after start. */
  advertOnBoot?: boolean;
  firmwareVersion?: string;
  buildDate?: string;
  manufacturerName?: string;
}

/** What the repeater puts in PeerMatch.ref, so a combined handler can tell its peers from a companion's. */
export interface RepeaterPeerRef {
  readonly kind: 'meshcore-repeater-acl';
  readonly client: ClientInfo;
}

export function isRepeaterPeerRef(ref: unknown): ref is RepeaterPeerRef {
  return typeof ref === 'object' && ref !== null && (ref as RepeaterPeerRef).kind === 'meshcore-repeater-acl';
}

export interface RepeaterCounters {
  /** Floods (and direct packets) refused for forwarding, by reason. */
  forwardRefused: Record<ForwardRefusal, number>;
  advertsSent: { zeroHop: number; flood: number };
  loginsOk: number;
  /** Wrong password (the firmware sends nothing back). */
  loginsFailed: number;
  /** A login or request whose timestamp was not newer than the client's last one. */
  replays: number;
  /** Anonymous sub-requests over the anon_limiter (4 per 3 minutes). */
  anonRateLimited: number;
  requests: number;
  /** REQ the repeater does not answer (unknown type, admin-only, KEEP_ALIVE). */
  requestsUnanswered: number;
  cliCommands: number;
  /** TXT_MSG refused: not an admin, txt_type not plain/CLI, or an old timestamp. */
  cliRefused: number;
  /** Malformed or undecodable requests (too short, bad reply path). */
  malformed: number;
  /** Exceptions caught in a handler callback (each logged). */
  errors: number;
  /** Store reads/writes that failed. */
  storeErrors: number;
}

export interface Repeater {
  readonly handler: MeshHandler;
  start(): void;
  stop(): void;
  /** Sends our advert now (flood in the default scope, or zero-hop). */
  advertNow(flood: boolean): void;
  readonly prefs: Readonly<RepeaterPrefs>;
  /** Changes prefs as configuration does (validated; RepeaterPrefsError on a bad value) and saves them. */
  updatePrefs(patch: Partial<RepeaterPrefs>): void;
  /** `region default <name>` / `<null>` (the config key meshcore.region). Returns the region name or null. */
  setDefaultScope(name: string | null): string | null;
  /** `region allowf *` / `region denyf *` then `region save`: forward or drop unscoped floods. */
  setUnscopedFloods(allow: boolean): void;
  neighbours(): NeighbourInfo[];
  /** The GET_STATUS numbers. */
  stats(): RepeaterStats;
  readonly counters: Readonly<RepeaterCounters>;
  /** A line typed on the serial console (sender_timestamp 0): the reply text ('' = none). */
  command(line: string): string;
  /** Is this PeerMatch one of the repeater's (an ACL client)? */
  ownsPeer(peer: PeerMatch): boolean;
  /** The ACL (admins and guests in RAM). */
  clients(): readonly ClientInfo[];
}


export function createRepeater(options: RepeaterOptions): Repeater {
  const { mesh } = options;
  const timers = timersOf(options.clock);
  const log = options.log ?? (() => undefined);
  const random = options.random ?? Math.random;
  const rtc = options.rtc ?? createRtcClock(options.clock);
  const hooks = options.hooks ?? {};
  const startedAt = options.clock.now();
  const persist = new RepeaterPersistence(options.store, timers, (pk) => mesh.self.sharedSecret(pk), log);
  const prefs = persist.prefs;
  if (options.prefs) applyPrefsPatch(prefs, options.prefs);
  const regions = persist.regions;
  const neighbours = new NeighbourTable();
  let packetsRecv = 0;
  let loggingOn = false;
  const counters: RepeaterCounters = {
    forwardRefused: { disabled: 0, 'flood-max': 0, 'flood-max-unscoped': 0, 'flood-max-advert': 0, region: 0, loop: 0 },
    advertsSent: { zeroHop: 0, flood: 0 },
    loginsOk: 0,
    loginsFailed: 0,
    replays: 0,
    anonRateLimited: 0,
    requests: 0,
    requestsUnanswered: 0,
    cliCommands: 0,
    cliRefused: 0,
    malformed: 0,
    errors: 0,
    get storeErrors() {
      return persist.storeErrors;
    },
  };

  // default_scope: the transport key of the default region (MyMesh::begin / onDefaultRegionChanged)
  let defaultScope: Uint8Array | undefined;
  const onDefaultRegionChanged = (r: RegionEntry | null): void => {
    defaultScope = r ? regions.transportKeysFor(r)[0] : undefined;
  };
  onDefaultRegionChanged(regions.getDefaultRegion());

  // recv_pkt_region, worked out once per received packet (HMACs per region for scoped floods)
  // (a mesh that pools packet objects may hand the same object back with other contents: the entry is checked)
  const regionCache = new WeakMap<McPacket, { payload: Uint8Array; route: number; code: number; map: number; region: RegionEntry | null }>();
  let regionsVersion = 0;
  const regionOf = (packet: McPacket): RegionEntry | null => {
    const hit = regionCache.get(packet);
    if (hit && hit.payload === packet.payload && hit.route === packet.routeType && hit.code === packet.transportCodes[0] && hit.map === regionsVersion) {
      return hit.region;
    }
    const region = floodRegion(regions, packet);
    regionCache.set(packet, { payload: packet.payload, route: packet.routeType, code: packet.transportCodes[0], map: regionsVersion, region });
    return region;
  };

  const guard = <A extends unknown[], R>(what: string, fallback: R, fn: (...args: A) => R) => (...args: A): R => {
    try {
      return fn(...args);
    } catch (err) {
      counters.errors++;
      log(`meshcore repeater: ${what} failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}`);
      return fallback;
    }
  };

  /** MyMesh::createSelfAdvert (ADV_TYPE_REPEATER, name, location per advert_loc_policy). */
  const createSelfAdvert = (): McPacket => {
    const withLoc = prefs.advertLocPolicy !== ADVERT_LOC.NONE;
    // ADVERT_LOC_SHARE would take the GPS position; there is no GPS here, so SensorManager's 0,0 (as the firmware)
    const lat = prefs.advertLocPolicy === ADVERT_LOC.SHARE ? 0 : prefs.nodeLat;
    const lon = prefs.advertLocPolicy === ADVERT_LOC.SHARE ? 0 : prefs.nodeLon;
    return mesh.createAdvert(encodeAdvertData({ type: ADV_TYPE.REPEATER, name: prefs.nodeName, ...(withLoc ? { lat, lon } : {}) }));
  };

  /** MyMesh::sendSelfAdvertisement. */
  const sendSelfAdvertisement = guard('advert', undefined, (delayMs: number, flood: boolean): void => {
    const pkt = createSelfAdvert();
    if (flood) {
      sendFloodScoped(mesh, defaultScope, pkt, delayMs, (prefs.pathHashMode + 1) as PathHashSize);
      counters.advertsSent.flood++;
    } else {
      mesh.sendZeroHop(pkt, { delayMs });
      counters.advertsSent.zeroHop++;
    }
  });

  const schedule = new AdvertSchedule(timers, {
    advert: (flood) => sendSelfAdvertisement(0, flood),
    intervals: () => ({ advertInterval: prefs.advertInterval, floodAdvertInterval: prefs.floodAdvertInterval }),
  });

  const battMilliVolts = (): number => Math.min(0xffff, Math.max(0, Math.round(options.battery?.() ?? 0)));
  const stats = (): RepeaterStats =>
    repeaterStats({
      mesh,
      battMilliVolts,
      noiseFloorDbm: () => options.noiseFloorDbm?.() ?? 0,
      uptimeMs: () => options.clock.now() - startedAt,
      received: () => packetsRecv,
    });

  const txDelay = (packet: McPacket, factor: number): number =>
    retransmitDelayMs(mesh.airtimeMs(packet.path.length + packet.payload.length + 2), factor, random);
  const discovery = new NodeDiscovery({
    mesh,
    prefs,
    neighbours,
    rtc,
    random,
    nowMs: () => options.clock.now(),
    retransmitDelay: (p) => txDelay(p, prefs.txDelayFactor),
  });

  const admin = new RepeaterAdmin({
    mesh,
    prefs,
    regions,
    acl: persist.acl,
    neighbours,
    rtc,
    random,
    log,
    counters,
    regionOf,
    defaultScope: () => defaultScope,
    stats,
    battMilliVolts,
    cli: {
      prefs,
      regions,
      acl: persist.acl,
      rtc,
      selfPublicKey: mesh.self.publicKey,
      firmwareVersion: options.firmwareVersion ?? 'v1.17.1',
      buildDate: options.buildDate ?? '14 Aug 2026',
      role: 'repeater',
      manufacturerName: options.manufacturerName ?? 'Lattice Edge',
      savePrefs: () => void persist.savePrefs(),
      sendSelfAdvertisement: (delayMs, flood) => sendSelfAdvertisement(delayMs, flood),
      updateAdvertTimer: () => schedule.updateAdvertTimer(),
      updateFloodAdvertTimer: () => schedule.updateFloodAdvertTimer(),
      setLoggingOn: (on) => {
        loggingOn = on;
      },
      eraseLogFile: () => undefined,
      dumpLogFile: () => undefined,
      setTxPower: (dbm) => hooks.setTxPower?.(dbm),
      formatNeighborsReply: () => neighbours.formatReply(rtc.getCurrentTime()),
      removeNeighbor: (prefix) => neighbours.remove(prefix),
      formatStatsReply: () => formatCoreStats(stats()),
      formatRadioStatsReply: () => formatRadioStats(stats(), mesh.lastSignal()?.snrDb ?? 0),
      formatPacketStatsReply: () => formatPacketStats(stats()),
      clearStats: () => {
        packetsRecv = 0;
        mesh.resetStats();
      },
      applyTempRadioParams: (freq, bw, sf, cr, mins) => hooks.applyTempRadioParams?.(freq, bw, sf, cr, mins),
      startRegionsLoad: () => admin.regionLoad.start(regions),
      saveRegions: () => persist.saveRegions(),
      onDefaultRegionChanged,
      setRxBoostedGain: (on) => hooks.setRxBoostedGain?.(on) ?? false,
      reboot: () => {
        log('meshcore repeater: reboot requested');
        hooks.reboot?.();
      },
      powerOff: () => {
        log('meshcore repeater: power off requested');
        hooks.powerOff?.();
      },
      exportPrivateKey: () => hooks.exportPrivateKey?.() ?? mesh.self.privateKey(),
      importPrivateKey: (key) => hooks.importPrivateKey?.(key),
      aclChanged: () => persist.aclChanged(),
      sendNodeDiscoverReq: () => discovery.sendRequest(),
      consolePrint: (line) => log(line),
    },
  });

  admin.onCommand = () => {
    regionsVersion++;
  };


  const handler: MeshHandler = {
    logRxRaw: () => {
      packetsRecv++;
      if (loggingOn) log('meshcore repeater: RX');
    },
    allowPacketForward: guard('allowPacketForward', false, (packet: McPacket): boolean => {
      const refusal = forwardRefusal(packet, prefs, regionOf(packet), mesh.self.publicKey);
      if (refusal) counters.forwardRefused[refusal]++;
      return refusal === undefined;
    }),
    // the mesh hands the airtime of path + payload + 2 bytes, the length MyMesh::getRetransmitDelay estimates
    retransmitDelayMs: guard('retransmitDelay', 0, (_p: McPacket, airtimeMs: number) => retransmitDelayMs(airtimeMs, prefs.txDelayFactor, random)),
    directRetransmitDelayMs: guard('directRetransmitDelay', 0, (_p: McPacket, airtimeMs: number) =>
      retransmitDelayMs(airtimeMs, prefs.directTxDelayFactor, random),
    ),
    // MyMesh::calcRxDelay (rxdelay, off by default)
    rxDelayMs: guard('rxDelay', 0, (score: number, airtimeMs: number) => rxDelayFromBase(prefs.rxDelayBase, score, airtimeMs)),
    extraAckTransmitCount: () => prefs.multiAcks,
    airtimeBudgetFactor: () => prefs.airtimeFactor,
    searchPeersByHash: guard('searchPeersByHash', [], (hash: number): PeerMatch[] =>
      persist.acl
        .all()
        .filter((c) => c.publicKey[0] === hash)
        .map((client) => ({ publicKey: client.publicKey, secret: client.sharedSecret, ref: { kind: 'meshcore-repeater-acl', client } satisfies RepeaterPeerRef })),
    ),
    onPeerDataRecv: guard('onPeerDataRecv', undefined, (rx: ReceivedPacket, type: number, peer: PeerMatch, data: Uint8Array) => {
      if (isRepeaterPeerRef(peer.ref)) admin.onPeerData(rx, type, peer.ref.client, data);
    }),
    onPeerPathRecv: guard('onPeerPathRecv', false, (_rx: ReceivedPacket, peer: PeerMatch, path) => {
      if (!isRepeaterPeerRef(peer.ref)) return false;
      // MyMesh::onPeerPathRecv: keep the way to this client for sendDirect; no reciprocal path
      peer.ref.client.outPath = { hashSize: path.hashSize, bytes: path.bytes.slice() };
      peer.ref.client.lastActivity = rtc.getCurrentTime();
      return false;
    }),
    onAnonDataRecv: guard('onAnonDataRecv', undefined, (rx: ReceivedPacket, secret: Uint8Array, sender: Uint8Array, data: Uint8Array) =>
      admin.onAnonData(rx, secret, sender, data),
    ),
    onAdvertRecv: guard('onAdvertRecv', undefined, (rx: ReceivedPacket, advert: { publicKey: Uint8Array; timestamp: number; appData: Uint8Array }) => {
      // MyMesh::onAdvertRecv: a zero-hop advert, not a 'Share' (transport codes {0,0}), from a repeater
      const p = rx.packet;
      const share = hasTransportCodes(p.routeType) && p.transportCodes[0] === 0 && p.transportCodes[1] === 0;
      if (p.path.length !== 0 || share) return;
      const ad = decodeAdvertData(advert.appData);
      if (ad && ad.type === ADV_TYPE.REPEATER) neighbours.put(advert.publicKey, advert.timestamp, rx.snrDb, rtc.getCurrentTime());
    }),
    onControlDataRecv: guard('onControlDataRecv', undefined, (rx: ReceivedPacket) => discovery.onControl(rx)),
  };

  if (options.defaultScope !== undefined) setDefaultScope(regions, options.defaultScope, onDefaultRegionChanged, () => persist.saveRegions());

  let started = false;
  return {
    handler,
    start() {
      if (started) return;
      started = true;
      if (options.advertOnBoot ?? true) sendSelfAdvertisement(BOOT_ADVERT_DELAY_MS, false);
      schedule.start();
    },
    stop() {
      if (!started) return;
      started = false;
      schedule.stop();
      persist.flush();
    },
    advertNow: (flood) => sendSelfAdvertisement(0, flood),
    prefs,
    updatePrefs(patch) {
      applyPrefsPatch(prefs, patch);
      if (patch.advertInterval !== undefined) schedule.updateAdvertTimer();
      if (patch.floodAdvertInterval !== undefined) schedule.updateFloodAdvertTimer();
      persist.savePrefs();
    },
    setDefaultScope: (name) => {
      regionsVersion++;
      return setDefaultScope(regions, name, onDefaultRegionChanged, () => persist.saveRegions());
    },
    setUnscopedFloods: (allow) => {
      regionsVersion++;
      setUnscopedFloods(regions, allow, () => persist.saveRegions());
    },
    neighbours: () => neighbours.list(0),
    stats,
    counters,
    command: (line) => {
      try {
        return admin.command(0, line);
      } catch (err) {
        counters.errors++;
        log(`meshcore repeater: console command failed: ${err instanceof Error ? err.message : String(err)}`);
        return '';
      }
    },
    ownsPeer: (peer) => isRepeaterPeerRef(peer.ref),
    clients: () => persist.acl.all(),
  };
}

