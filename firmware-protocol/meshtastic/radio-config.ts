/**
 * What the radio told us about itself during the want_config handshake: MyNodeInfo, DeviceMetadata, the 8 channel
 * slots and the Config sections the client needs (LoRa for hop limit/region/preset, device for the role).
 */
import { Channel, Config, Mesh } from '@meshtastic/protobufs';
import { channelDisplayName } from './channel-name.js';
import { DEFAULT_HOP_LIMIT } from './messages.js';
import type { NodeDb } from './node-db.js';
import { nodeIdString } from './node-id.js';
import type { ChannelInfo, DeviceInfo } from './session-types.js';

export class RadioConfig {
  myInfo?: Mesh.MyNodeInfo;
  metadata?: Mesh.DeviceMetadata;
  private channels: Channel.Channel[] = [];
  private lora?: Config.Config_LoRaConfig;
  private deviceRole?: number;

  /** A new handshake re-sends every channel slot. */
  beginHandshake(): void {
    this.channels = [];
  }

  get myNodeNum(): number {
    return (this.myInfo?.myNodeNum ?? 0) >>> 0;
  }

  /** Takes what it needs from one FromRadio; returns true when it was configuration. */
  apply(msg: Mesh.FromRadio): boolean {
    const v = msg.payloadVariant;
    switch (v.case) {
      case 'myInfo':
        this.myInfo = v.value;
        return true;
      case 'metadata':
        this.metadata = v.value;
        return true;
      case 'channel':
        this.channels = this.channels.filter((c) => c.index !== v.value.index).concat(v.value).sort((a, b) => a.index - b.index);
        return true;
      case 'config':
        if (v.value.payloadVariant.case === 'lora') this.lora = v.value.payloadVariant.value;
        if (v.value.payloadVariant.case === 'device') this.deviceRole = v.value.payloadVariant.value.role;
        return true;
      default:
        return false;
    }
  }

  /** The radio's configured hop limit (config.lora.hop_limit), 3 when unset. */
  hopLimit(override?: number): number {
    return override ?? (this.lora?.hopLimit || DEFAULT_HOP_LIMIT);
  }

  enabledChannels(): ChannelInfo[] {
    return this.channels
      .filter((c) => c.role !== Channel.Channel_Role.DISABLED)
      .map((c) => ({
        index: c.index,
        name: channelDisplayName(c.settings?.name ?? '', c.index, this.lora),
        role: c.role === Channel.Channel_Role.PRIMARY ? ('PRIMARY' as const) : ('SECONDARY' as const),
      }));
  }

  deviceInfo(nodes: NodeDb, hopLimitOverride?: number): DeviceInfo | undefined {
    if (!this.myInfo) return undefined;
    const me = nodes.get(this.myInfo.myNodeNum);
    return {
      myNodeNum: this.myInfo.myNodeNum >>> 0,
      nodeId: nodeIdString(this.myInfo.myNodeNum),
      longName: me?.longName,
      shortName: me?.shortName,
      rebootCount: this.myInfo.rebootCount,
      firmwareVersion: this.metadata?.firmwareVersion,
      hwModel: this.metadata ? Mesh.HardwareModel[this.metadata.hwModel] : undefined,
      role: this.deviceRole !== undefined ? Config.Config_DeviceConfig_Role[this.deviceRole] : undefined,
      region: this.lora ? Config.Config_LoRaConfig_RegionCode[this.lora.region] : undefined,
      modemPreset: this.lora ? Config.Config_LoRaConfig_ModemPreset[this.lora.modemPreset] : undefined,
      hopLimit: this.hopLimit(hopLimitOverride),
      channels: this.enabledChannels(),
      nodeCount: nodes.size,
    };
  }
}
