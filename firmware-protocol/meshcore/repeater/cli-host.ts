/**
 * What the repeater's CLI reads and changes: the state CommonCLI holds pointers to (NodePrefs, RegionMap,
 * ClientACL, the RTC) and the CommonCLICallbacks that MyMesh implements (src/helpers/CommonCLI.h). The repeater
 * (repeater.ts) is the one implementation; tests use it too.
 */
import type { ClientACL } from './client-acl.js';
import type { RepeaterPrefs } from './prefs.js';
import type { RegionEntry, RegionMap } from './region-map.js';
import type { RtcClock } from './rtc-clock.js';

export interface CliHost {
  readonly prefs: RepeaterPrefs;
  readonly regions: RegionMap;
  readonly acl: ClientACL;
  readonly rtc: RtcClock;
  readonly selfPublicKey: Uint8Array;
  /** FIRMWARE_VERSION, FIRMWARE_BUILD_DATE, FIRMWARE_ROLE, MainBoard::getManufacturerName. */
  readonly firmwareVersion: string;
  readonly buildDate: string;
  readonly role: string;
  readonly manufacturerName: string;

  /** MyMesh::savePrefs (persists; CommonCLI::savePrefs adds the advert-interval rule first). */
  savePrefs(): void;
  sendSelfAdvertisement(delayMs: number, flood: boolean): void;
  updateAdvertTimer(): void;
  updateFloodAdvertTimer(): void;
  setLoggingOn(on: boolean): void;
  eraseLogFile(): void;
  dumpLogFile(): void;
  setTxPower(dbm: number): void;
  formatNeighborsReply(): string;
  removeNeighbor(prefix: Uint8Array): void;
  formatStatsReply(): string;
  formatRadioStatsReply(): string;
  formatPacketStatsReply(): string;
  clearStats(): void;
  applyTempRadioParams(freq: number, bw: number, sf: number, cr: number, timeoutMins: number): void;
  startRegionsLoad(): void;
  saveRegions(): boolean;
  onDefaultRegionChanged(region: RegionEntry | null): void;
  /** false = unsupported (the CommonCLICallbacks default). */
  setRxBoostedGain(on: boolean): boolean;
  reboot(): void;
  powerOff(): void;
  /** The 64-byte private key (CLI `get prv.key`, serial console only). */
  exportPrivateKey(): Uint8Array;
  /** `set prv.key`: the new identity's public key when the key was valid and saved (applies after a restart). */
  importPrivateKey(privateKey: Uint8Array): Uint8Array | undefined;
}

/** CommonCLI::savePrefs: a manually configured node turns the default 2-minute zero-hop advert off. */
export const MIN_LOCAL_ADVERT_INTERVAL = 60;

export function cliSavePrefs(host: CliHost): void {
  if (host.prefs.advertInterval * 2 < MIN_LOCAL_ADVERT_INTERVAL) host.prefs.advertInterval = 0;
  host.savePrefs();
}
