/**
 * What the firmware keeps across client connections and reboots (NodeDB.cpp: config, moduleConfig, channelFile,
 * devicestate.owner, the NodeDB; CannedMessageModule and ExternalNotificationModule keep their texts in files of
 * their own): read at start from a DeviceStore, written back after every change the firmware would save
 * (AdminModule::saveChanges → NodeDB::saveToDisk), not while an edit transaction is open. The frequently changing
 * part of the NodeDB (last heard, SNR) is written by `flush()`, which the owner calls on a timer and at stop.
 */
import { clone, create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { Channel, Config, LocalOnly, Mesh } from '@meshtastic/protobufs';
import { nodeIdString } from '../node-id.js';
import { channelTable, defaultLocalConfig, defaultLocalModuleConfig, type ChannelInit, type ConfigDefaults } from './device-defaults.js';
import type { DeviceSnapshot, DeviceStore } from './device-store.js';
import { DeviceNodeDb } from './node-db.js';

/** What the hardware and build say about themselves (getDeviceMetadata in main.cpp). */
export interface DeviceHardware {
  firmwareVersion: string;
  hwModel: Mesh.HardwareModel;
  /** APP_ENV, shown in my_info.pio_env. */
  pioEnv: string;
  hasWifi?: boolean;
  hasBluetooth?: boolean;
  hasEthernet?: boolean;
  canShutdown?: boolean;
  /** ExcludedModules bits: a board without a screen excludes CANNEDMSG_CONFIG (main.cpp `!HAS_SCREEN`), and clients
   * then do not ask for canned messages. */
  excludedModules?: number;
  /** DEVICESTATE_CUR_VER */
  deviceStateVersion?: number;
  /** FromRadio.deviceuiConfig as the board sends it (uiconfig). */
  uiConfig?: Record<string, unknown>;
}

export interface DeviceStateOptions {
  myNodeNum: number;
  /** Curve25519 public key (security.public_key, owner.public_key). */
  publicKey: Uint8Array;
  privateKey?: Uint8Array;
  hardware: DeviceHardware;
  /** First-start values; a saved snapshot wins over them. */
  owner: { longName: string; shortName: string };
  config?: Omit<ConfigDefaults, 'publicKey' | 'privateKey'>;
  channels?: ChannelInit[];
  cannedMessages?: string;
  ringtone?: string;
  store: DeviceStore;
  /** Boots counted before the first start with this store (a board that has been in use); default 0. */
  previousBoots?: number;
  maxNodes?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export class DeviceState {
  readonly myNodeNum: number;
  readonly hardware: DeviceHardware;
  readonly nodeDb: DeviceNodeDb;
  owner!: Mesh.User;
  config!: LocalOnly.LocalConfig;
  moduleConfig!: LocalOnly.LocalModuleConfig;
  channels!: Channel.Channel[];
  cannedMessages = '';
  ringtone = '';
  rebootCount = 0;
  /** AdminModule hasOpenEditTransaction: saves wait for commit_edit_settings. */
  editTransactionOpen = false;
  /** Saves done / failed (a failed save is retried on the next change or flush). */
  saves = 0;
  saveErrors = 0;
  private dirty = false;
  private readonly store: DeviceStore;

  constructor(private readonly o: DeviceStateOptions) {
    this.myNodeNum = o.myNodeNum >>> 0;
    this.hardware = o.hardware;
    this.store = o.store;
    this.nodeDb = new DeviceNodeDb(this.myNodeNum, {
      maxNodes: o.maxNodes,
      now: o.now,
      onChange: (what) => (what === 'structure' ? this.changed() : (this.dirty = true)),
    });
    this.installDefaults();
    this.rebootCount = o.previousBoots ?? 0;
    const snap = o.store.load();
    if (snap && snap.myNodeNum >>> 0 === this.myNodeNum) this.restore(snap);
    else if (snap) o.log?.(`device state in ${o.store.where} is for ${nodeIdString(snap.myNodeNum)}, not ${nodeIdString(this.myNodeNum)}: starting from defaults`);
    // NodeDB::loadFromDisk counts boots: each start is one more reboot (my_info.reboot_count).
    this.rebootCount++;
    this.save();
  }

  /** NodeDB::installDefaultConfig / installDefaultModuleConfig / Channels::initDefaults / owner from the board. */
  private installDefaults(): void {
    const o = this.o;
    this.owner = create(Mesh.UserSchema, {
      id: nodeIdString(this.myNodeNum),
      longName: o.owner.longName,
      shortName: o.owner.shortName,
      hwModel: o.hardware.hwModel,
      publicKey: o.publicKey,
      role: o.config?.role ?? Config.Config_DeviceConfig_Role.CLIENT,
    });
    this.config = defaultLocalConfig({ ...o.config, publicKey: o.publicKey, privateKey: o.privateKey });
    this.moduleConfig = defaultLocalModuleConfig();
    this.channels = channelTable(o.channels ?? [{ index: 0, name: '', role: 'PRIMARY' }]);
    this.cannedMessages = o.cannedMessages ?? '';
    this.ringtone = o.ringtone ?? '';
  }

  private restore(s: DeviceSnapshot): void {
    this.rebootCount = s.rebootCount;
    this.owner = fromBinary(Mesh.UserSchema, b64(s.owner));
    this.config = fromBinary(LocalOnly.LocalConfigSchema, b64(s.config));
    this.moduleConfig = fromBinary(LocalOnly.LocalModuleConfigSchema, b64(s.moduleConfig));
    this.channels = channelTable([]).map((empty, i) => (s.channels[i] ? fromBinary(Channel.ChannelSchema, b64(s.channels[i]!)) : empty));
    this.cannedMessages = s.cannedMessages;
    this.ringtone = s.ringtone;
    this.nodeDb.load(s.nodes.map((n) => fromBinary(Mesh.NodeInfoSchema, b64(n))));
    this.nodeDb.loadNextHops(s.nextHops);
    this.nodeDb.loadOwnPosition(s.ownPosition ? fromBinary(Mesh.PositionSchema, b64(s.ownPosition)) : undefined);
  }

  /** NodeDB::factoryReset: config, module config, channels, owner and the node list back to first-start values (the
   * key pair is kept: it is the node's identity). Saved at once. */
  factoryReset(): void {
    const keys = { publicKey: this.config.security?.publicKey, privateKey: this.config.security?.privateKey };
    this.installDefaults();
    if (this.config.security && keys.publicKey) {
      this.config.security.publicKey = keys.publicKey;
      this.config.security.privateKey = keys.privateKey ?? new Uint8Array(0);
    }
    this.nodeDb.reset(false);
    this.nodeDb.setOwnPosition(undefined);
    this.editTransactionOpen = false;
    this.save();
  }

  snapshot(): DeviceSnapshot {
    return {
      version: 1,
      myNodeNum: this.myNodeNum,
      rebootCount: this.rebootCount,
      owner: u64(toBinary(Mesh.UserSchema, this.owner)),
      config: u64(toBinary(LocalOnly.LocalConfigSchema, this.config)),
      moduleConfig: u64(toBinary(LocalOnly.LocalModuleConfigSchema, this.moduleConfig)),
      channels: this.channels.map((c) => u64(toBinary(Channel.ChannelSchema, c))),
      cannedMessages: this.cannedMessages,
      ringtone: this.ringtone,
      nodes: this.nodeDb.others().map((n) => u64(toBinary(Mesh.NodeInfoSchema, n))),
      nextHops: this.nodeDb.nextHopsSnapshot(),
      ...(this.nodeDb.ownPosition ? { ownPosition: u64(toBinary(Mesh.PositionSchema, this.nodeDb.ownPosition)) } : {}),
    };
  }

  /** Something the firmware saves at once changed (saveChanges): written now unless an edit transaction is open. */
  changed(): void {
    this.dirty = true;
    if (!this.editTransactionOpen) this.save();
  }

  /** Writes pending NodeDB updates (last heard, SNR, positions). */
  flush(): void {
    if (this.dirty && !this.editTransactionOpen) this.save();
  }

  private save(): void {
    try {
      this.store.save(this.snapshot());
      this.saves++;
      this.dirty = false;
    } catch (err) {
      // Kept in memory and written again on the next change or flush; never fatal to the node.
      this.saveErrors++;
      this.dirty = true;
      this.o.log?.(`device state save failed: ${(err as Error).message}`);
    }
  }

  // ---- what PhoneAPI and AdminModule read ---------------------------------------------------------------------------

  myNodeInfo(): Mesh.MyNodeInfo {
    return create(Mesh.MyNodeInfoSchema, {
      myNodeNum: this.myNodeNum,
      rebootCount: this.rebootCount,
      minAppVersion: 30200,
      deviceId: Uint8Array.from({ length: 16 }, (_, i) => (this.myNodeNum >>> ((i % 4) * 8)) & 0xff),
      pioEnv: this.hardware.pioEnv,
      nodedbCount: this.nodeDb.size + 1,
    });
  }

  /** PhoneAPI STATE_SEND_OWN_NODEINFO: our NodeInfo with no hops_away and is_favorite set, and our position (a fixed
   * one) as the NodeDB keeps it for our own node (ConvertToNodeInfo: has_position when it has lat/lon). */
  ownNodeInfo(nowSecs: number): Mesh.NodeInfo {
    const pos = this.nodeDb.ownPosition;
    return create(Mesh.NodeInfoSchema, {
      num: this.myNodeNum, user: clone(Mesh.UserSchema, this.owner), lastHeard: nowSecs, isFavorite: true,
      ...(pos && (pos.latitudeI || pos.longitudeI) ? { position: clone(Mesh.PositionSchema, pos) } : {}),
    });
  }

  /** AdminModule set_fixed_position: our NodeDB position (updatePosition RX_SRC_LOCAL, setLocalPosition) and
   * config.position.fixed_position, saved at once (saveChanges SEGMENT_NODEDATABASE | SEGMENT_CONFIG). */
  setFixedPosition(p: Mesh.Position): void {
    this.nodeDb.setOwnPosition(create(Mesh.PositionSchema, { ...p, locationSource: Mesh.Position_LocSource.LOC_MANUAL }));
    this.config.position ??= create(Config.Config_PositionConfigSchema);
    this.config.position.fixedPosition = true;
    this.changed();
  }

  /** AdminModule remove_fixed_position: clearLocalPosition, fixed_position off, saved at once. */
  removeFixedPosition(): void {
    this.nodeDb.setOwnPosition(undefined);
    this.config.position ??= create(Config.Config_PositionConfigSchema);
    this.config.position.fixedPosition = false;
    this.changed();
  }

  /** main.cpp getDeviceMetadata */
  metadata(): Mesh.DeviceMetadata {
    const h = this.hardware;
    return create(Mesh.DeviceMetadataSchema, {
      firmwareVersion: h.firmwareVersion,
      deviceStateVersion: h.deviceStateVersion ?? 24,
      canShutdown: h.canShutdown ?? false,
      hasWifi: h.hasWifi ?? false,
      hasBluetooth: h.hasBluetooth ?? false,
      hasEthernet: h.hasEthernet ?? false,
      role: this.config.device?.role ?? Config.Config_DeviceConfig_Role.CLIENT,
      positionFlags: this.config.position?.positionFlags ?? 0,
      hwModel: h.hwModel,
      hasRemoteHardware: this.moduleConfig.remoteHardware?.enabled ?? false,
      excludedModules: h.excludedModules ?? 0,
      hasPKC: true,
    });
  }

  channel(index: number): Channel.Channel {
    return clone(Channel.ChannelSchema, this.channels[index]!);
  }

  get hopLimit(): number {
    return this.config.lora?.hopLimit || 3;
  }

  /** Public key in use (owner.public_key follows security.public_key: AdminModule handleSetConfig security). */
  get publicKey(): Uint8Array {
    return this.owner.publicKey;
  }
}

function b64(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'base64'));
}

function u64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}
