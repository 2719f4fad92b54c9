/**
 * The firmware's AdminModule (src/modules/AdminModule.cpp, v2.7.26) for admin messages a client sends to its own
 * node, plus the admin requests other modules answer through handleAdminMessageForModule (CannedMessageModule:
 * canned messages; ExternalNotificationModule: ringtone). It reads and changes DeviceState and says what to answer:
 * an AdminMessage response, a Routing error, or nothing. The caller (DeviceService) wraps the answer the way
 * MeshModule::setReplyTo does and hands it to the requesting client only.
 */
import { clone, create } from '@bufbuild/protobuf';
import { Admin, Channel, Config, Mesh, type ModuleConfig } from '@meshtastic/protobufs';
import { nodeIdString } from '../node-id.js';
import { configSection, moduleConfigSection } from './device-defaults.js';
import type { DeviceState } from './device-state.js';

/** configuration.h DEFAULT_REBOOT_SECONDS */
export const DEFAULT_REBOOT_SECONDS = 7;
/** Default.h min_node_info_broadcast_secs, min/default_neighbor_info_broadcast_secs */
const MIN_NODE_INFO_BROADCAST_SECS = 60 * 60;
const MIN_NEIGHBOR_INFO_SECS = 4 * 60 * 60;
const DEFAULT_NEIGHBOR_INFO_SECS = 6 * 60 * 60;
/** AdminModule::setPassKey renews the key after 150 s; checkPassKey accepts it for 300 s. */
const PASSKEY_RENEW_SECS = 150;
const PASSKEY_VALID_SECS = 300;

/** mesh.proto ExcludedModules bits the device side looks at. */
export const EXCLUDED_EXTNOTIF = 0x0004;
export const EXCLUDED_CANNEDMSG = 0x0040;

export type AdminAnswer = { admin: Admin.AdminMessage } | { routing: Mesh.Routing_Error } | undefined;

/** What an admin message changed, for whoever applies it (the radio retunes, the router reloads channels). */
export type DeviceChange = 'owner' | 'config' | 'moduleConfig' | 'channels' | 'nodes';

/**
 * What clients read where the node runs, for a while, on other values than its saved config (a power policy lowers
 * the transmit power, runs a ROUTER as a CLIENT). The firmware has one `config` and one `owner`, which the radio and
 * the router run on and which AdminModule::handleGetConfig / handleGetOwner and the PhoneAPI handshake answer
 * (`res.get_config_response.payload_variant.lora = config.lora`), so what a client reads is what runs; with live
 * values beside the saved ones, clients get the live ones and the saved config stays the operator's.
 */
export interface LiveView {
  /** A config section as it runs now (a copy; the saved section is not changed). */
  config(section: Config.Config): Config.Config;
  /** Our User as it runs now. */
  owner(): Mesh.User;
}

export interface AdminEffects {
  /** AdminModule::reboot(seconds): the node restarts after that many seconds (clients lose their connection). */
  reboot(seconds: number): void;
  shutdown(seconds: number): void;
  changed(what: DeviceChange): void;
  log(line: string): void;
  /** PositionModule::sendOurPosition, after set_fixed_position; none = the node has no position module. */
  sendOurPosition?(): void;
}

export class AdminModule {
  private sessionPasskey = new Uint8Array(8);
  private sessionTime = 0;
  /** Admin messages refused (not authorised, bad session key, bad request). */
  refused = 0;

  constructor(
    private readonly state: DeviceState,
    private readonly effects: AdminEffects,
    private readonly nowSecs: () => number,
    private readonly random: () => number,
    private readonly live?: LiveView,
  ) {}

  /** AdminModule::handleReceivedProtobuf for a decoded ADMIN_APP packet addressed to us. */
  handle(mp: Mesh.MeshPacket, r: Admin.AdminMessage): AdminAnswer {
    const wantResponse = mp.payloadVariant.case === 'decoded' && mp.payloadVariant.value.wantResponse;
    const v = r.payloadVariant;
    const fromUs = mp.from === 0;
    if (isResponse(r)) {
      this.effects.log('Allow admin response message');
    } else if (fromUs) {
      if (this.state.config.security?.isManaged) {
        this.effects.log('Ignore local admin payload because is_managed');
        return undefined;
      }
    } else if (this.state.channels[mp.channel]?.settings?.name.toLowerCase() === 'admin') {
      if (!this.state.config.security?.adminChannelEnabled) return this.refuse(Mesh.Routing_Error.NOT_AUTHORIZED);
    } else if (mp.pkiEncrypted) {
      const keys = this.state.config.security?.adminKey ?? [];
      if (!keys.some((k) => k.length === 32 && sameBytes(k, mp.publicKey))) return this.refuse(Mesh.Routing_Error.ADMIN_PUBLIC_KEY_UNAUTHORIZED);
    } else {
      return this.refuse(Mesh.Routing_Error.NOT_AUTHORIZED);
    }
    if (!fromUs && !isRequest(r) && !isResponse(r) && !this.checkPassKey(r)) return this.refuse(Mesh.Routing_Error.ADMIN_BAD_SESSION_KEY);

    let answer: AdminAnswer;
    const st = this.state;
    switch (v.case) {
      case 'getOwnerRequest':
        if (wantResponse) answer = this.response({ case: 'getOwnerResponse', value: clone(Mesh.UserSchema, this.live?.owner() ?? st.owner) });
        break;
      case 'getConfigRequest':
        // ConfigType n is Config oneof tag n + 1 (admin.proto); SESSIONKEY and DEVICEUI answer an empty section.
        if (wantResponse) answer = this.response({ case: 'getConfigResponse', value: this.shown(configSection(st.config, v.value + 1)) });
        break;
      case 'getModuleConfigRequest':
        if (wantResponse) answer = this.response({ case: 'getModuleConfigResponse', value: moduleConfigSection(st.moduleConfig, v.value + 1) });
        break;
      case 'getChannelRequest': {
        const i = v.value - 1;
        if (i < 0 || i >= st.channels.length) answer = this.refuse(Mesh.Routing_Error.BAD_REQUEST);
        else if (wantResponse) answer = this.response({ case: 'getChannelResponse', value: st.channel(i) });
        break;
      }
      case 'getDeviceMetadataRequest':
        answer = this.response({ case: 'getDeviceMetadataResponse', value: st.metadata() });
        break;
      case 'getCannedMessageModuleMessagesRequest':
        // CannedMessageModule exists only on boards with a screen (Modules.cpp); without it nobody answers and the
        // generic ACK below goes out, as the firmware does (metadata tells clients not to ask).
        if (!this.excluded(EXCLUDED_CANNEDMSG) && wantResponse) answer = this.response({ case: 'getCannedMessageModuleMessagesResponse', value: st.cannedMessages });
        break;
      case 'getRingtoneRequest':
        if (!this.excluded(EXCLUDED_EXTNOTIF) && wantResponse) answer = this.response({ case: 'getRingtoneResponse', value: st.ringtone });
        break;
      case 'setOwner':
        answer = this.setOwner(v.value);
        break;
      case 'setConfig':
        this.setConfig(v.value);
        break;
      case 'setModuleConfig':
        this.setModuleConfig(v.value);
        break;
      case 'setChannel':
        if (v.value.index < 0 || v.value.index >= st.channels.length) answer = this.refuse(Mesh.Routing_Error.BAD_REQUEST);
        else this.setChannel(v.value);
        break;
      case 'setCannedMessageModuleMessages':
        if (!this.excluded(EXCLUDED_CANNEDMSG) && v.value && v.value !== st.cannedMessages) {
          st.cannedMessages = v.value;
          st.changed();
        }
        break;
      case 'setRingtoneMessage':
        if (!this.excluded(EXCLUDED_EXTNOTIF) && v.value && v.value !== st.ringtone) {
          st.ringtone = v.value;
          st.changed();
        }
        break;
      case 'beginEditSettings':
        st.editTransactionOpen = true;
        break;
      case 'commitEditSettings':
        st.editTransactionOpen = false;
        this.saveChanges(true);
        break;
      case 'rebootSeconds':
        this.effects.reboot(v.value);
        break;
      case 'shutdownSeconds':
        this.effects.shutdown(v.value);
        break;
      case 'factoryResetConfig':
      case 'factoryResetDevice':
        this.effects.log(`Initiate ${v.case === 'factoryResetDevice' ? 'full' : 'config'} factory reset`);
        st.factoryReset();
        this.effects.changed('config');
        this.effects.reboot(DEFAULT_REBOOT_SECONDS);
        break;
      case 'nodedbReset': {
        const role = st.config.device?.role;
        const R = Config.Config_DeviceConfig_Role;
        st.nodeDb.reset(role === R.CLIENT_BASE || role === R.ROUTER || role === R.ROUTER_LATE || v.value);
        this.effects.changed('nodes');
        this.effects.reboot(DEFAULT_REBOOT_SECONDS);
        break;
      }
      case 'removeByNodenum':
        if (st.nodeDb.remove(v.value)) this.effects.changed('nodes');
        break;
      case 'setFavoriteNode':
      case 'removeFavoriteNode':
        if (st.nodeDb.setFavorite(v.value, v.case === 'setFavoriteNode')) this.effects.changed('nodes');
        break;
      case 'setIgnoredNode':
      case 'removeIgnoredNode':
        if (st.nodeDb.setIgnored(v.value, v.case === 'setIgnoredNode')) this.effects.changed('nodes');
        break;
      case 'setFixedPosition':
        this.effects.log('Client received set_fixed_position command');
        st.setFixedPosition(v.value);
        this.effects.changed('config');
        // "Send our new fixed position to the mesh for good measure"
        this.effects.sendOurPosition?.();
        break;
      case 'removeFixedPosition':
        this.effects.log('Client received remove_fixed_position command');
        st.removeFixedPosition();
        this.effects.changed('config');
        break;
      default:
        // Other variants (ham mode, time, files, OTA, UI config…) are not implemented by this node:
        // like a firmware whose modules do not handle them, the generic ACK below answers a want_response.
        this.effects.log(`Module API did not handle admin message ${v.case ?? 'none'}`);
        break;
    }
    // "If asked for a response and it is not yet set, generate an 'ACK' response"
    if (wantResponse && !answer) answer = { routing: Mesh.Routing_Error.NONE };
    return answer;
  }

  private excluded(bit: number): boolean {
    return ((this.state.hardware.excludedModules ?? 0) & bit) !== 0;
  }

  private refuse(err: Mesh.Routing_Error): AdminAnswer {
    this.refused++;
    this.effects.log(`admin refused: ${Mesh.Routing_Error[err]}`);
    return { routing: err };
  }

  private response(payloadVariant: Admin.AdminMessage['payloadVariant']): AdminAnswer {
    const admin = create(Admin.AdminMessageSchema, { payloadVariant });
    admin.sessionPasskey = this.passKey();
    return { admin };
  }

  /** AdminModule::setPassKey: 8 random bytes, renewed when older than 150 s. */
  private passKey(): Uint8Array {
    const now = this.nowSecs();
    if (this.sessionTime === 0 || now > this.sessionTime + PASSKEY_RENEW_SECS) {
      for (let i = 0; i < 8; i++) this.sessionPasskey[i] = Math.floor(this.random() * 256);
      this.sessionTime = now;
    }
    return this.sessionPasskey.slice();
  }

  private checkPassKey(r: Admin.AdminMessage): boolean {
    return this.sessionTime + PASSKEY_VALID_SECS > this.nowSecs() && r.sessionPasskey.length === 8 && sameBytes(r.sessionPasskey, this.sessionPasskey);
  }

  /** AdminModule::saveChanges: written unless a transaction is open; a change that needs it reboots the node. */
  private saveChanges(shouldReboot: boolean): void {
    if (!this.state.editTransactionOpen) this.state.changed();
    if (shouldReboot && !this.state.editTransactionOpen) this.effects.reboot(DEFAULT_REBOOT_SECONDS);
  }

  private setOwner(o: Mesh.User): AdminAnswer {
    if ((o.longName && !o.longName.trim()) || (o.shortName && !o.shortName.trim())) return this.refuse(Mesh.Routing_Error.BAD_REQUEST);
    const owner = this.state.owner;
    let changed = false;
    // The firmware copies into fixed char arrays: long_name[40], short_name[5] (4 bytes + NUL).
    if (o.longName) {
      const v = truncateUtf8(o.longName, 39);
      changed ||= v !== owner.longName;
      owner.longName = v;
    }
    if (o.shortName) {
      const v = truncateUtf8(o.shortName, 4);
      changed ||= v !== owner.shortName;
      owner.shortName = v;
    }
    owner.id = nodeIdString(this.state.myNodeNum);
    if (owner.isLicensed !== o.isLicensed) {
      changed = true;
      owner.isLicensed = o.isLicensed;
    }
    if (o.isUnmessagable !== undefined && owner.isUnmessagable !== o.isUnmessagable) {
      changed = true;
      owner.isUnmessagable = o.isUnmessagable;
    }
    if (changed) {
      // service->reloadOwner + saveChanges(SEGMENT_DEVICESTATE | SEGMENT_NODEDATABASE): default shouldReboot = true
      this.effects.changed('owner');
      this.saveChanges(true);
    }
    return undefined;
  }

  private shown(section: Config.Config): Config.Config {
    return this.live ? this.live.config(section) : section;
  }

  /**
   * A set_config that sends back a live value it read (apps send the whole section to change one field) keeps the
   * saved value of that field: a transmit power lowered or a role changed for the battery must not become the
   * operator's setting and outlive the policy. A value other than the live one is the operator's change and is taken.
   */
  private keepSaved(c: Config.Config): Config.Config {
    if (!this.live || !c.payloadVariant.case) return c;
    const tag = Config.ConfigSchema.fields.find((f) => f.localName === c.payloadVariant.case && f.oneof?.name === 'payload_variant')?.number;
    if (tag === undefined) return c;
    const saved = configSection(this.state.config, tag).payloadVariant.value as Record<string, unknown> | undefined;
    const shown = this.live.config(configSection(this.state.config, tag)).payloadVariant.value as Record<string, unknown> | undefined;
    if (!saved || !shown) return c;
    const incoming = { ...(c.payloadVariant.value as Record<string, unknown>) };
    let kept = false;
    for (const k of Object.keys(shown)) {
      const s = shown[k];
      if ((typeof s === 'number' || typeof s === 'boolean' || typeof s === 'string') && s !== saved[k] && incoming[k] === s) {
        incoming[k] = saved[k];
        kept = true;
      }
    }
    return kept ? create(Config.ConfigSchema, { payloadVariant: { case: c.payloadVariant.case, value: incoming } } as never) : c;
  }

  private setConfig(sent: Config.Config): void {
    const c = this.keepSaved(sent);
    const cfg = this.state.config;
    let requiresReboot = true;
    const v = c.payloadVariant;
    switch (v.case) {
      case 'device': {
        const old = cfg.device;
        const d = clone(Config.Config_DeviceConfigSchema, v.value);
        if (old && old.buttonGpio === d.buttonGpio && old.buzzerGpio === d.buzzerGpio && old.role === d.role && old.rebroadcastMode === d.rebroadcastMode) requiresReboot = false;
        const R = Config.Config_DeviceConfig_Role;
        if (d.rebroadcastMode === Config.Config_DeviceConfig_RebroadcastMode.NONE && (d.role === R.ROUTER || d.role === R.ROUTER_LATE)) {
          d.rebroadcastMode = Config.Config_DeviceConfig_RebroadcastMode.ALL;
        }
        if (d.nodeInfoBroadcastSecs < MIN_NODE_INFO_BROADCAST_SECS) d.nodeInfoBroadcastSecs = MIN_NODE_INFO_BROADCAST_SECS;
        if (d.role === R.ROUTER_CLIENT || d.role === R.REPEATER) d.role = R.CLIENT; // deprecated roles
        cfg.device = d;
        this.state.owner.role = d.role;
        break;
      }
      case 'position':
        cfg.position = clone(Config.Config_PositionConfigSchema, v.value);
        break;
      case 'power': {
        const old = cfg.power;
        const p = clone(Config.Config_PowerConfigSchema, v.value);
        if (old && old.deviceBatteryInaAddress === p.deviceBatteryInaAddress && old.isPowerSaving === p.isPowerSaving && old.lsSecs === p.lsSecs
          && old.minWakeSecs === p.minWakeSecs && old.onBatteryShutdownAfterSecs === p.onBatteryShutdownAfterSecs && old.sdsSecs === p.sdsSecs
          && old.waitBluetoothSecs === p.waitBluetoothSecs) requiresReboot = false;
        if (p.onBatteryShutdownAfterSecs > 0 && p.onBatteryShutdownAfterSecs < 30) p.onBatteryShutdownAfterSecs = 30;
        cfg.power = p;
        break;
      }
      case 'network':
        cfg.network = clone(Config.Config_NetworkConfigSchema, v.value);
        break;
      case 'display': {
        const old = cfg.display;
        const d = v.value;
        if (old && old.screenOnSecs === d.screenOnSecs && old.flipScreen === d.flipScreen && old.oled === d.oled && old.displaymode === d.displaymode) requiresReboot = false;
        cfg.display = clone(Config.Config_DisplayConfigSchema, d);
        break;
      }
      case 'lora': {
        const old = cfg.lora;
        const l = clone(Config.Config_LoRaConfigSchema, v.value);
        // clampCodingRate / clampSpreadFactor: out-of-range values fall back to the defaults (5, 11)
        if (l.codingRate !== 0 && (l.codingRate < 5 || l.codingRate > 8)) l.codingRate = 5;
        if (l.spreadFactor !== 0 && (l.spreadFactor < 7 || l.spreadFactor > 12)) l.spreadFactor = 11;
        if (old && old.usePreset === l.usePreset && old.region === l.region && old.modemPreset === l.modemPreset && old.bandwidth === l.bandwidth
          && old.spreadFactor === l.spreadFactor && old.codingRate === l.codingRate && old.txPower === l.txPower
          && old.frequencyOffset === l.frequencyOffset && old.overrideFrequency === l.overrideFrequency && old.channelNum === l.channelNum
          && old.sx126xRxBoostedGain === l.sx126xRxBoostedGain) requiresReboot = false;
        if (old?.region === Config.Config_LoRaConfig_RegionCode.UNSET && l.region !== Config.Config_LoRaConfig_RegionCode.UNSET) l.txEnabled = true;
        cfg.lora = l;
        break;
      }
      case 'bluetooth':
        cfg.bluetooth = clone(Config.Config_BluetoothConfigSchema, v.value);
        break;
      case 'security': {
        const old = cfg.security;
        const s = clone(Config.Config_SecurityConfigSchema, v.value);
        // The key pair is the node's identity (its node number derives from it on boards without a MAC); this node
        // keeps it rather than regenerating it as the firmware does for a blank key. Other fields are taken.
        s.publicKey = old?.publicKey ?? this.state.publicKey;
        s.privateKey = old?.privateKey ?? new Uint8Array(0);
        if (s.isManaged && !s.adminKey.some((k) => k.length === 32)) s.isManaged = false;
        if (old && old.debugLogApiEnabled === s.debugLogApiEnabled && old.serialEnabled === s.serialEnabled) requiresReboot = false;
        cfg.security = s;
        break;
      }
      default:
        return; // sessionkey, device_ui: NOOP
    }
    this.effects.changed('config');
    this.saveChanges(requiresReboot);
  }

  private setModuleConfig(c: ModuleConfig.ModuleConfig): void {
    const v = c.payloadVariant;
    if (!v.case) return;
    const mc = this.state.moduleConfig as unknown as Record<string, unknown>;
    const value = v.value as { updateInterval?: number };
    if (v.case === 'neighborInfo' && (value.updateInterval ?? 0) < MIN_NEIGHBOR_INFO_SECS) value.updateInterval = DEFAULT_NEIGHBOR_INFO_SECS;
    mc[v.case] = value;
    this.effects.changed('moduleConfig');
    this.saveChanges(v.case !== 'statusmessage');
  }

  /** AdminModule::handleSetChannel → Channels::setChannel: a new PRIMARY demotes the old one. No reboot. */
  private setChannel(cc: Channel.Channel): void {
    const chs = this.state.channels;
    if (cc.role === Channel.Channel_Role.PRIMARY) for (const ch of chs) if (ch.role === Channel.Channel_Role.PRIMARY) ch.role = Channel.Channel_Role.SECONDARY;
    chs[cc.index] = clone(Channel.ChannelSchema, cc);
    this.effects.changed('channels');
    this.saveChanges(false);
  }
}

/** AdminModule::messageIsResponse */
function isResponse(r: Admin.AdminMessage): boolean {
  const c = r.payloadVariant.case;
  return c !== undefined && /Response$/.test(c);
}

/** AdminModule::messageIsRequest */
function isRequest(r: Admin.AdminMessage): boolean {
  const c = r.payloadVariant.case;
  return c !== undefined && /Request$/.test(c) && c !== 'enterDfuModeRequest' && c !== 'deleteFileRequest' && c !== 'otaRequest';
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** strncpy into a char[n+1]: at most n bytes, not cutting a UTF-8 sequence (sanitizeUtf8). */
function truncateUtf8(s: string, maxBytes: number): string {
  const bytes = new TextEncoder().encode(s);
  if (bytes.length <= maxBytes) return s;
  let end = maxBytes;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
