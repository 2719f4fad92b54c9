/**
 * The native MeshCore node's firmware parts composed into an McNativeStack (mc-native-stack.ts):
 * - the mesh (firmware-protocol/meshcore/mesh createMesh: Dispatcher + Mesh) on the NativeRadio as a PacketRadio,
 *   with the node's identity and the RTC the repeater keeps;
 * - the repeater (…/repeater createRepeater: simple_repeater) with its prefs, ACL and regions in
 *   `<stateDir>/repeater.json`; the config's name, passwords, radio and region scope applied over the stored prefs
 *   at every start (config wins, as for the repeater part's own contract);
 * - the companion's chat logic (…/companion ChatMesh: BaseChatMesh) and its device side (CompanionRadio) with
 *   contacts, channels and prefs in `<stateDir>/companion.json`, the config's channels written at the first start
 *   (a saved table wins afterwards, as the firmware's saved channels do), adverts of type repeater when the node is
 *   one (SELF_INFO's key is the advert key: one identity);
 * - both handlers combined on the one mesh (…/node/combined-handler.ts): a logged-in admin's TXT_MSG is CLI;
 * - the companion TCP server (several clients at once) on `meshcore.companion`;
 * - a tap on every frame heard (logRxRaw) for the MeshCore MQTT observers (runtime/bearers/mqtt/meshcore).
 */
import { join } from 'node:path';
import { ChatMesh } from '../../../firmware-protocol/meshcore/companion/chat-mesh.js';
import { CompanionRadio } from '../../../firmware-protocol/meshcore/companion/companion-radio.js';
import { CompanionServer } from '../../../firmware-protocol/meshcore/companion/companion-server.js';
import { listenOrAnyPort } from '../../bearer/listen-or-any-port.js';
import { JsonFileCompanionStore } from '../../../firmware-protocol/meshcore/companion/companion-store.js';
import { createMesh } from '../../../firmware-protocol/meshcore/mesh/create-mesh.js';
import type { MeshHandler } from '../../../firmware-protocol/meshcore/mesh/mesh-handler.js';
import { combineHandlers } from '../../../firmware-protocol/meshcore/node/combined-handler.js';
import { ADV_TYPE } from '../../../firmware-protocol/meshcore/ota/advert-data.js';
import type { LocalIdentity } from '../../../firmware-protocol/meshcore/ota/identity.js';
import { isAdmin } from '../../../firmware-protocol/meshcore/repeater/client-acl.js';
import { createRepeater, isRepeaterPeerRef, type Repeater } from '../../../firmware-protocol/meshcore/repeater/repeater.js';
import { JsonFileRepeaterStore } from '../../../firmware-protocol/meshcore/repeater/repeater-store.js';
import { createRtcClock } from '../../../firmware-protocol/meshcore/repeater/rtc-clock.js';
import type { Clock } from '../../../lib/clock/clock.js';
import type { Logger } from '../../log/logger.js';
import { meshRadioOf } from '../meshtastic-native/mesh-adapters.js';
import type { NativeRadio } from '../meshtastic-native/native-radio.js';
import type { McNativeStack, McNeighbour } from './mc-native-stack.js';
import type { McNativeSettings } from './mc-settings.js';
import { VERSION } from '../../version.js';
import { RawPacketTap, tapMeshHandler } from '../mqtt/meshcore/raw-packet-tap.js';

export interface McStackInit {
  settings: McNativeSettings;
  identity: LocalIdentity;
  radio: NativeRadio;
  /** Where the repeater's and the companion's state are kept. */
  stateDir: string;
  clock: Clock;
  log: Logger;
  /** Battery in mV (the power monitor), where the board has one. */
  batteryMilliVolts?: () => number | undefined;
  /** Companion server limits (tests). */
  companionServer?: { maxClients?: number };
}

/** The firmware version the node reports (SELF_INFO / DEVICE_INFO, `ver` on the CLI): the protocol, then us. */
export const MC_NATIVE_FIRMWARE_VERSION = `v1.17.1-lattice-${VERSION}`;

/** An admin password nobody knows: `adminPassword` absent means no admin login, and the firmware's well-known
 * default ("password") must never be live on a rooftop. 15 bytes, as NodePrefs.password holds. */
function unguessablePassword(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(12))).toString('base64').slice(0, 15);
}

export function buildMcStack(init: McStackInit): McNativeStack {
  const { settings, identity, radio, clock, log } = init;
  const m = radio.modulation;
  const rtc = createRtcClock(clock);
  const mesh = createMesh({ radio: meshRadioOf(radio), identity, modulation: m, clock, rtcSeconds: () => rtc.getCurrentTime() });
  let advertsHeard = 0;
  let companionAdverts = 0;
  const chat = new ChatMesh({ mesh, maxChannels: 40, observer: { advertCreated: () => { companionAdverts++; } } });
  const isRepeater = settings.role === 'repeater';
  const repeater: Repeater | undefined = isRepeater
    ? createRepeater({
        mesh, clock, rtc,
        store: new JsonFileRepeaterStore(join(init.stateDir, 'repeater.json')),
        prefs: {
          ...(settings.nodeName !== undefined ? { nodeName: settings.nodeName } : {}),
          password: settings.adminPassword ?? unguessablePassword(),
          guestPassword: settings.guestPassword ?? '',
          freq: m.frequencyHz / 1e6, bw: m.bandwidthHz / 1e3, sf: m.spreadingFactor, cr: m.codingRate, txPowerDbm: m.txPowerDbm,
        },
        defaultScope: settings.floodScope,
        ...(init.batteryMilliVolts ? { battery: init.batteryMilliVolts } : {}),
        log: (line) => log.debug(line),
        firmwareVersion: MC_NATIVE_FIRMWARE_VERSION,
        manufacturerName: 'Lattice Edge',
        hooks: {
          reboot: () => log.warn('an admin asked the repeater to reboot over the air; the native node keeps running (restart the relay to apply radio changes)', { bearer: settings.name }),
          applyTempRadioParams: () => log.warn('an admin asked for temporary radio parameters; the native node keeps its channel', { bearer: settings.name }),
        },
      })
    : undefined;
  const name = settings.nodeName ?? repeater?.prefs.nodeName;
  const companionStore = new JsonFileCompanionStore(join(init.stateDir, 'companion.json'));
  const device = new CompanionRadio({
    chat, clock, store: companionStore,
    advType: isRepeater ? ADV_TYPE.REPEATER : ADV_TYPE.CHAT,
    build: { firmwareVersion: MC_NATIVE_FIRMWARE_VERSION, manufacturer: 'Lattice Edge' },
    prefs: {
      ...(name !== undefined ? { nodeName: name } : {}),
      freqKhz: Math.round(m.frequencyHz / 1e3), bwHz: m.bandwidthHz, sf: m.spreadingFactor, cr: m.codingRate, txPowerDbm: m.txPowerDbm,
    },
    ...(init.batteryMilliVolts ? { batteryMilliVolts: init.batteryMilliVolts } : {}),
    onReboot: () => log.warn('a companion client asked for a reboot; the native node keeps running', { bearer: settings.name }),
    onRadioChanged: () => log.warn('a companion client changed the radio settings; the native node keeps the configured channel', { bearer: settings.name }),
    onError: (err) => log.warn('companion state could not be saved', { bearer: settings.name, err: (err as Error).message }),
  });
  // A companion alone goes through the same combination with no repeater: one plain handler object whose callbacks
  // reach the ChatMesh with its own `this` (spreading the class instance would copy none of its methods).
  const combined: MeshHandler = combineHandlers({
    repeater: repeater?.handler ?? {},
    companion: chat,
    repeaterTakesText: (peer) => isRepeaterPeerRef(peer.ref) && isAdmin(peer.ref.client),
  });
  // Every frame heard also goes to the MeshCore MQTT observers that name this radio (runtime/bearers/mqtt/meshcore).
  const tap = new RawPacketTap({
    identity,
    name: () => repeater?.prefs.nodeName ?? device.prefs.nodeName,
    now: () => clock.now(),
    radioSummary: () => `${m.frequencyHz / 1e6},${m.bandwidthHz / 1e3},${m.spreadingFactor},${m.codingRate}`,
  });
  mesh.setHandler(tapMeshHandler({
    ...combined,
    onAdvertRecv(rx, advert) {
      advertsHeard++;
      combined.onAdvertRecv?.(rx, advert);
    },
  }, tap));
  const companionServer = (port: number) => new CompanionServer({ device, host: settings.companion!.host, port, ...(init.companionServer ?? {}) });
  // Rebuilt on another port when the wanted one is taken and the settings allow it (its port is a constructor option).
  let server = settings.companion ? companionServer(settings.companion.port) : undefined;

  return {
    mesh,
    device,
    rawPackets: tap,
    nodeName: () => repeater?.prefs.nodeName ?? device.prefs.nodeName,
    neighbours: () => (repeater?.neighbours() ?? []).filter((n) => n.heardTimestamp > 0).map((n): McNeighbour => ({
      publicKey: Buffer.from(n.publicKey).toString('hex'),
      ...nameOf(chat, n.publicKey),
      snrDb: n.snr / 4,
      // The table keeps our RTC's seconds; status shows ms since the epoch (the RTC runs on the relay's clock).
      lastHeard: n.heardTimestamp * 1000,
    })),
    contacts: () => chat.contacts.all().length,
    loggedIn: () => repeater?.clients().length ?? 0,
    counts: () => ({
      advertsHeard,
      advertsSent: (repeater ? repeater.counters.advertsSent.zeroHop + repeater.counters.advertsSent.flood : 0) + companionAdverts,
      loginsOk: repeater?.counters.loginsOk ?? 0,
      loginsFailed: repeater?.counters.loginsFailed ?? 0,
    }),
    advertNow: (flood) => {
      if (repeater) return repeater.advertNow(flood);
      // CMD_SEND_SELF_ADVERT (commands-mesh.ts): flood in the default scope, or zero-hop.
      const pkt = device.selfAdvert();
      if (flood) device.floodWithKey(pkt, device.prefs.defaultScopeKey);
      else mesh.sendZeroHop(pkt);
    },
    companionPort: () => server?.port,
    async start() {
      const firstStart = (await companionStore.load()) === undefined;
      await device.start();
      // One node, one name: the repeater's (the config's, which wins at every start) is also the companion's, over
      // whatever name the companion's saved prefs hold.
      if (repeater && device.prefs.nodeName !== repeater.prefs.nodeName) {
        device.prefs = { ...device.prefs, nodeName: repeater.prefs.nodeName };
        if (!firstStart) await device.saveNow();
      }
      if (firstStart) {
        chat.channels.reset();
        for (const c of settings.channels) chat.channels.set(c.index, c.name, c.secret);
        await device.saveNow();
      }
      mesh.start();
      repeater?.start();
      const companion = settings.companion;
      if (server && companion) {
        const fellBack = await listenOrAnyPort(async (port) => {
          if (port !== companion.port) server = companionServer(port);
          await server!.start();
        }, companion.port, companion.orAnyPort === true);
        if (fellBack) log.info(`companion port ${companion.port} is taken; listening on ${server.port}`, { bearer: settings.name });
      }
    },
    async stop() {
      await server?.stop();
      repeater?.stop();
      await device.stop();
      await mesh.stop();
    },
  };
}

/** The name a neighbour advertised, when the companion keeps it as a contact. */
function nameOf(chat: ChatMesh, publicKey: Uint8Array): { name?: string } {
  const c = chat.contacts.lookup(publicKey);
  return c?.name ? { name: c.name } : {};
}
