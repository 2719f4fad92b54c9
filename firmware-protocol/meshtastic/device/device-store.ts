/**
 * Where the device state lives between runs: the firmware keeps /prefs/config.proto, module.proto, channels.proto,
 * nodes.proto and the device state (owner, reboot count) in flash (NodeDB::saveToDisk). Here one snapshot holds them
 * all, protobufs as base64 of their binary form, so a file written by one version reads back in the next as the
 * official schemas evolve (unknown fields survive the round trip).
 */
export interface DeviceSnapshot {
  version: 1;
  myNodeNum: number;
  rebootCount: number;
  /** Mesh.User (the owner: long/short name, licensed, public key). */
  owner: string;
  /** LocalOnly.LocalConfig */
  config: string;
  /** LocalOnly.LocalModuleConfig */
  moduleConfig: string;
  /** Channel.Channel × 8 (MAX_NUM_CHANNELS). */
  channels: string[];
  /** CannedMessageModuleConfig.messages ("a|b|c"). */
  cannedMessages: string;
  /** RTTTLConfig.ringtone */
  ringtone: string;
  /** Mesh.NodeInfo of every other node in the NodeDB, in DB order. */
  nodes: string[];
  /** Next hop (relay's last byte) by node number (NodeInfoLite.next_hop); absent in snapshots of older versions. */
  nextHops?: Record<string, number>;
  /** Mesh.Position of our own node (a fixed position); absent when we have none, and in older snapshots. */
  ownPosition?: string;
}

export interface DeviceStore {
  /** The last snapshot saved, or undefined on a first start. Throws DeviceStoreCorruptError when unreadable. */
  load(): DeviceSnapshot | undefined;
  /** Replaces the snapshot (atomically where the medium allows). Throws DeviceStoreWriteError. */
  save(snapshot: DeviceSnapshot): void;
  /** Where it lives, for messages. */
  readonly where: string;
}

/** A store in memory: tests, and a node that must forget everything when it stops. */
export class MemoryDeviceStore implements DeviceStore {
  readonly where = 'memory';
  saves = 0;
  private snapshot?: string;

  load(): DeviceSnapshot | undefined {
    return this.snapshot === undefined ? undefined : (JSON.parse(this.snapshot) as DeviceSnapshot);
  }

  save(snapshot: DeviceSnapshot): void {
    this.snapshot = JSON.stringify(snapshot);
    this.saves++;
  }
}
