/**
 * The native node's firmware parts composed into a NativeStack (native-stack.ts):
 * - the device side (firmware-protocol/meshtastic/device): DeviceState kept in `<stateDir>/device.json` (owner,
 *   config, channels, NodeDB; the config's values are its first-start defaults, a saved state wins), the
 *   DeviceService, and the DeviceServer serving several clients at once on `meshtastic.api`;
 * - the over-the-air codec and cipher (…/ota): decodeOtaFrame/encodeOtaFrame and a PacketCipher over the device
 *   side's channel table, our private key and the NodeDB's public keys, rebuilt when a client changes the channels;
 * - the mesh router (…/mesh): MeshRouter on the NativeRadio, the board's duty cycle, the device's NodeDB.
 *
 * Settings a client changes that need the radio retuned (region, preset, frequency) are saved and take effect at the
 * next start, as the firmware applies them on the reboot that follows (AdminModule::saveChanges → reboot).
 */
import { join } from 'node:path';
import { clone, create } from '@bufbuild/protobuf';
import { Config, Mesh, type Channel, type Telemetry } from '@meshtastic/protobufs';
import type { MeshRoleName } from '../../../firmware-protocol/meshtastic/mesh/role.js';
import { DeviceServer } from '../../../firmware-protocol/meshtastic/device/device-server.js';
import { listenOrAnyPort } from '../../bearer/listen-or-any-port.js';
import { DeviceService } from '../../../firmware-protocol/meshtastic/device/device-service.js';
import { DeviceHttpSessions } from '../../../firmware-protocol/meshtastic/device/http-sessions.js';
import { DeviceState } from '../../../firmware-protocol/meshtastic/device/device-state.js';
import { positionPrecisionForChannel } from '../../../firmware-protocol/meshtastic/device/position-precision.js';
import { JsonFileDeviceStore } from '../../../firmware-protocol/meshtastic/device/json-file-store.js';
import { MeshRouter } from '../../../firmware-protocol/meshtastic/mesh/mesh-router.js';
import { createPacketCipher } from '../../../firmware-protocol/meshtastic/ota/create-packet-cipher.js';
import type { PacketCipher } from '../../../firmware-protocol/meshtastic/ota/packet-cipher.js';
import { channelName } from '../../../firmware-protocol/meshtastic/ota/channel-keys.js';
import { decodeOtaFrame, encodeOtaFrame } from '../../../firmware-protocol/meshtastic/ota/ota-frame.js';
import type { Clock } from '../../../lib/clock/clock.js';
import { timersOf } from '../../../lib/clock/timer-clock.js';
import type { AirtimeGovernor } from '../../airtime/airtime-governor.js';
import type { Logger } from '../../log/logger.js';
import { mayTransmitOf, meshMetricsOf, meshRadioOf } from './mesh-adapters.js';
import type { NativeIdentity } from './native-identity.js';
import type { NativeMetrics } from './native-metrics.js';
import type { NativeRadio } from './native-radio.js';
import { defaultOwner, type NativeSettings } from './native-settings.js';
import type { NativeChannel, NativeStack } from './native-stack.js';
import { VERSION } from '../../version.js';

export interface NativeStackInit {
  settings: NativeSettings;
  identity: NativeIdentity;
  radio: NativeRadio;
  governor: AirtimeGovernor;
  /** Where the device state (owner, channels, config, NodeDB) is kept. */
  stateDir: string;
  clock: Clock;
  log: Logger;
  metrics?: NativeMetrics;
  /** The battery for DeviceMetrics answers (runtime/power); none = powered. */
  battery?: () => { level: number; volts: number } | undefined;
  /** The power monitor's channels for PowerMetrics answers (runtime/power). */
  powerMetrics?: () => Telemetry.PowerMetrics | undefined;
  /** Client API limits (tests). */
  clientApi?: { maxClients?: number; midFrameTimeoutMs?: number };
}

/** The firmware version the device side reports (metadata.firmware_version): the protocol we speak, and what we are. */
export const NATIVE_FIRMWARE_VERSION = `2.7.26.lattice-${VERSION}`;

export function buildNativeStack(init: NativeStackInit): NativeStack {
  const { settings, identity, radio, clock, log } = init;
  const owner = defaultOwner(identity.nodeNum);
  const state = new DeviceState({
    myNodeNum: identity.nodeNum,
    publicKey: identity.publicKey,
    privateKey: identity.privateKey,
    // PORTDUINO: the firmware's Linux-native target (meshtasticd), which is what this node is to the apps.
    hardware: { firmwareVersion: NATIVE_FIRMWARE_VERSION, hwModel: Mesh.HardwareModel.PORTDUINO, pioEnv: 'lattice-native', hasWifi: true },
    owner: { longName: settings.longName ?? owner.longName, shortName: settings.shortName ?? owner.shortName },
    config: {
      role: Config.Config_DeviceConfig_Role[settings.role],
      region: Config.Config_LoRaConfig_RegionCode[settings.region],
      modemPreset: Config.Config_LoRaConfig_ModemPreset[settings.preset],
      hopLimit: settings.hopLimit,
      txPower: radio.modulation.txPowerDbm,
    },
    channels: settings.channels.map((c) => ({ index: c.index, name: c.name, role: c.index === 0 ? 'PRIMARY' : 'SECONDARY', psk: c.psk, positionPrecision: c.positionPrecision ?? 0 })),
    store: new JsonFileDeviceStore(join(init.stateDir, 'device.json')),
    now: () => clock.now(),
    log: (line) => log.info(line),
  });
  // The configured place on Earth is the operator's, so it is applied at every start (a client may still change it
  // with set_fixed_position until the next start); without one, a saved fixed position stays.
  if (settings.fixedPosition) {
    const p = settings.fixedPosition;
    const own = state.nodeDb.ownPosition;
    if (!state.config.position?.fixedPosition || own?.latitudeI !== p.latitudeI || own?.longitudeI !== p.longitudeI || own?.altitude !== p.altitude) {
      state.setFixedPosition(create(Mesh.PositionSchema, { ...p, locationSource: Mesh.Position_LocSource.LOC_MANUAL }));
    }
  }
  const makeCipher = (): PacketCipher => createPacketCipher({
    channels: state.channels,
    ownNodeNum: identity.nodeNum,
    privateKey: identity.privateKey,
    publicKeyOf: (num) => state.nodeDb.publicKeyOf(num),
    lora: state.config.lora ?? {},
  });
  let cipher = makeCipher();
  let liveRole: MeshRoleName | undefined;
  const ownUser = () => (liveRole === undefined ? state.owner : create(Mesh.UserSchema, { ...state.owner, role: Config.Config_DeviceConfig_Role[liveRole] }));
  const router = new MeshRouter({
    nodeNum: identity.nodeNum,
    role: settings.role,
    cipher: { decrypt: (p) => cipher.decrypt(p), encrypt: (p) => cipher.encrypt(p) },
    directory: state.nodeDb,
    radio: meshRadioOf(radio),
    modulation: radio.modulation,
    clock: timersOf(clock),
    mayTransmit: mayTransmitOf(init.governor, radio),
    hopLimit: state.hopLimit,
    decodeFrame: (bytes) => decodeOtaFrame(bytes),
    encodeFrame: encodeOtaFrame,
    // Our User as NodeInfo sends it; while the power policies run the node in another role, that role (other nodes
    // treat a ROUTER's packets differently: hop-limit preservation, favourite routers).
    owner: () => ownUser(),
    position: () => state.nodeDb.ownPosition,
    positionPrecision: (ch) => positionPrecisionForChannel(state.channels, ch),
    positionConfig: () => ({
      fixedPosition: state.config.position?.fixedPosition ?? false,
      broadcastSecs: state.config.position?.positionBroadcastSecs ?? 0,
      flags: state.config.position?.positionFlags ?? 0,
    }),
    metrics: meshMetricsOf(init.metrics, settings.name),
    ...(init.battery ? { battery: init.battery } : {}),
    ...(init.powerMetrics ? { powerMetrics: init.powerMetrics } : {}),
  });
  // What clients read of the config while the power policies run the node on other values (admin-module.ts
  // LiveView): the transmit power in use and the role the router runs; the saved config stays the operator's.
  const configView = (section: Config.Config): Config.Config => {
    const v = section.payloadVariant;
    if (v.case === 'device' && liveRole !== undefined) {
      return create(Config.ConfigSchema, { payloadVariant: { case: 'device', value: { ...clone(Config.Config_DeviceConfigSchema, v.value), role: Config.Config_DeviceConfig_Role[liveRole] } } });
    }
    if (v.case === 'lora' && radio.modulation.txPowerDbm !== radio.configuredTxPowerDbm) {
      return create(Config.ConfigSchema, { payloadVariant: { case: 'lora', value: { ...clone(Config.Config_LoRaConfigSchema, v.value), txPower: radio.modulation.txPowerDbm } } });
    }
    return section;
  };
  const service = new DeviceService({
    state, mesh: router, clock, ownUser, configView,
    sendOurPosition: () => router.position.sendOurPosition(),
    log: (line) => log.debug(line),
    onChange: (what) => {
      if (what === 'channels') cipher = makeCipher();
      if (what === 'config') log.warn('a client changed the node\'s settings; LoRa changes take effect at the next start', { bearer: settings.name });
    },
    onReboot: (seconds) => log.warn(`a client asked for a reboot in ${seconds} s; the native node keeps running (restart the relay to apply LoRa changes)`, { bearer: settings.name }),
  });
  const server = settings.api
    ? new DeviceServer(service, {
        host: settings.api.host, clock, ...init.clientApi,
        log: (line) => log.debug(line),
        onClientError: (err) => {
          init.metrics?.clientDrops.inc({ bearer: settings.name, reason: err.reason });
          log.warn(`client API: ${err.message}`, { bearer: settings.name });
        },
      })
    : undefined;
  // One more PhoneAPI client per HTTP session (the firmware has one `webAPI` for all).
  const http = new DeviceHttpSessions(service, { now: () => clock.now() });
  return {
    port: router,
    httpClient: (session) => http.client(session),
    gateway: {
      onTapped: (l) => router.onTapped(l),
      injectReceived: (p) => router.injectReceived(p),
      implicitAck: (id, channel) => router.implicitAck(id, channel),
      knowsUser: (num) => state.nodeDb.get(num)?.user !== undefined,
      ownPosition: () => state.nodeDb.ownPosition,
      mapFacts: () => ({
        role: state.config.device?.role ?? 0,
        region: state.config.lora?.region ?? 0,
        modemPreset: state.config.lora?.modemPreset ?? 0,
        hwModel: Mesh.HardwareModel.PORTDUINO,
        firmwareVersion: NATIVE_FIRMWARE_VERSION,
        // Channels::hasDefaultChannel: a channel on the default key under the preset's name.
        hasDefaultChannel: state.channels.some((c) => c.role !== 0 && isDefaultKey(c.settings?.psk) && (c.settings?.name ?? '') === ''),
      }),
    },
    clients: () => server?.connections ?? 0,
    apiPort: () => (server ? server.port : undefined),
    state: () => ({
      longName: state.owner.longName,
      shortName: state.owner.shortName,
      channels: channelsOf(state.channels, state.config.lora ?? {}),
      nodes: () => [state.ownNodeInfo(Math.floor(clock.now() / 1000)), ...state.nodeDb.others()],
    }),
    async start() {
      router.start();
      if (server) {
        const api = settings.api!;
        if (await listenOrAnyPort((p) => server.start(p), api.port, api.orAnyPort === true)) {
          log.info(`client API port ${api.port} is taken; listening on ${server.port}`, { bearer: settings.name });
        }
      }
      else service.start();
    },
    async stop() {
      await server?.stop();
      http.clear();
      service.stop();
      router.stop();
    },
    setRole: (role) => {
      router.setRole(role);
      liveRole = role === settings.role ? undefined : role;
    },
    setNodeInfoIntervalFactor: (factor) => {
      router.nodeInfo.intervalFactor = factor;
    },
    sendLocal: (packet) => router.sendLocal(packet),
    localStats: () => router.localStats(),
  };
}

/** The enabled slots, named as the apps show them (the preset's name for an unnamed primary). */
function channelsOf(channels: readonly Channel.Channel[], lora: Parameters<typeof channelName>[1]): NativeChannel[] {
  const out: NativeChannel[] = [];
  for (const c of channels) {
    if (c.role === 0) continue; // DISABLED
    out.push({ index: c.index, name: channelName(c.settings?.name ?? '', lora), role: c.role === 1 ? 'primary' : 'secondary' });
  }
  return out;
}

/** The default PSK as the apps give it (`AQ==`) or spelled out (Channels.h defaultpsk). */
function isDefaultKey(psk: Uint8Array | undefined): boolean {
  if (!psk) return false;
  if (psk.length === 1) return psk[0] === 1;
  return Buffer.from(psk).equals(Buffer.from('d4f1bb3a20290759f0bcffabcf4e6901', 'hex'));
}
