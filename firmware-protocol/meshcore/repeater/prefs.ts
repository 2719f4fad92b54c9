/**
 * The repeater's NodePrefs (src/helpers/CommonCLI.h) with the defaults examples/simple_repeater/MyMesh.cpp sets in
 * its constructor for a v1.17.1 build from platformio.ini (LORA_FREQ 869.618, LORA_BW 62.5, LORA_SF 8; LORA_CR 5 and
 * LORA_TX_POWER 20 from MyMesh.cpp; ADVERT_NAME "repeater"; ADMIN_PASSWORD "password"). Field names are the
 * firmware's in camelCase; the persisted JSON uses the keys of NodePrefs::structure() (ConfigSerializer, the
 * firmware's /prefs.json) so a reader of one recognises the other.
 *
 * Units as the firmware keeps them: advertInterval is MINUTES / 2 (CLI `advert.interval` takes and shows minutes),
 * floodAdvertInterval is hours; floats are float32 in the firmware (the CLI prints them that way, see c-text.ts).
 */

export const LOOP_DETECT = { OFF: 0, MINIMAL: 1, MODERATE: 2, STRICT: 3 } as const;
export const ADVERT_LOC = { NONE: 0, SHARE: 1, PREFS: 2 } as const;

export interface RepeaterPrefs {
  /** node_name, char[32]. */
  nodeName: string;
  nodeLat: number;
  nodeLon: number;
  /** Admin password, char[16]. */
  password: string;
  /** Guest password, char[16]; empty = a blank-password login gets guest rights (as the firmware). */
  guestPassword: string;
  /** owner_info, char[120]; '\n' separates lines ('|' in the CLI). */
  ownerInfo: string;
  /** airtime_factor: duty = 1 / (1 + af). */
  airtimeFactor: number;
  /** MHz. */
  freq: number;
  /** kHz. */
  bw: number;
  sf: number;
  cr: number;
  txPowerDbm: number;
  /** 1 = `set repeat off`. */
  disableFwd: number;
  /** Zero-hop advert period in units of 2 minutes (0 = off). */
  advertInterval: number;
  /** Flood advert period in hours (0 = off). */
  floodAdvertInterval: number;
  rxDelayBase: number;
  txDelayFactor: number;
  directTxDelayFactor: number;
  allowReadOnly: number;
  multiAcks: number;
  floodMax: number;
  floodMaxUnscoped: number;
  floodMaxAdvert: number;
  interferenceThreshold: number;
  /** Seconds / 4. */
  agcResetInterval: number;
  powersavingEnabled: number;
  gpsEnabled: number;
  gpsInterval: number;
  advertLocPolicy: number;
  /** RTC seconds of the last `region save` (node discovery `since` filter). */
  discoveryModTimestamp: number;
  adcMultiplier: number;
  rxBoostedGain: number;
  radioFemRxgain: number;
  radioFemTxgain: number;
  /** Path hash size − 1 for our own floods (0..2). */
  pathHashMode: number;
  loopDetect: number;
  cadEnabled: number;
}

/** MyMesh::MyMesh defaults (v1.17.1). */
export function defaultRepeaterPrefs(): RepeaterPrefs {
  return {
    nodeName: 'repeater',
    nodeLat: 0,
    nodeLon: 0,
    password: 'password',
    guestPassword: '',
    ownerInfo: '',
    airtimeFactor: 1.0,
    freq: 869.618,
    bw: 62.5,
    sf: 8,
    cr: 5,
    txPowerDbm: 20,
    disableFwd: 0,
    advertInterval: 1, // "default to 2 minutes for NEW installs"
    floodAdvertInterval: 47, // 47 hours (docs say 12; the code ships 47)
    rxDelayBase: 0,
    txDelayFactor: 0.5,
    directTxDelayFactor: 0.3,
    allowReadOnly: 0,
    multiAcks: 0,
    floodMax: 64,
    floodMaxUnscoped: 64,
    floodMaxAdvert: 8,
    interferenceThreshold: 0,
    agcResetInterval: 0,
    powersavingEnabled: 0,
    gpsEnabled: 0,
    gpsInterval: 0,
    advertLocPolicy: ADVERT_LOC.PREFS,
    discoveryModTimestamp: 0,
    adcMultiplier: 0,
    rxBoostedGain: 1, // SX126x builds: enabled by default
    radioFemRxgain: 1,
    radioFemTxgain: 0,
    pathHashMode: 0,
    loopDetect: LOOP_DETECT.OFF,
    cadEnabled: 0,
  };
}

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/** CommonCLI::loadPrefsInt "sanitise bad pref values", applied to whatever was loaded. */
export function sanitisePrefs(p: RepeaterPrefs): RepeaterPrefs {
  return {
    ...p,
    rxDelayBase: clamp(p.rxDelayBase, 0, 20),
    txDelayFactor: clamp(p.txDelayFactor, 0, 2),
    directTxDelayFactor: clamp(p.directTxDelayFactor, 0, 2),
    airtimeFactor: clamp(p.airtimeFactor, 0, 9),
    freq: clamp(p.freq, 150, 2500),
    bw: clamp(p.bw, 7.8, 500),
    sf: clamp(p.sf, 5, 12),
    cr: clamp(p.cr, 5, 8),
    txPowerDbm: clamp(p.txPowerDbm, -9, 30),
    multiAcks: clamp(p.multiAcks, 0, 1),
    adcMultiplier: clamp(p.adcMultiplier, 0, 10),
    pathHashMode: clamp(p.pathHashMode, 0, 2),
    powersavingEnabled: clamp(p.powersavingEnabled, 0, 1),
    gpsEnabled: clamp(p.gpsEnabled, 0, 1),
    advertLocPolicy: clamp(p.advertLocPolicy, 0, 2),
    rxBoostedGain: clamp(p.rxBoostedGain, 0, 1),
    radioFemRxgain: clamp(p.radioFemRxgain, 0, 1),
    radioFemTxgain: clamp(p.radioFemTxgain, 0, 1),
    cadEnabled: clamp(p.cadEnabled, 0, 1),
    loopDetect: clamp(p.loopDetect, 0, 3),
    floodMax: clamp(p.floodMax, 0, 255),
    floodMaxUnscoped: clamp(p.floodMaxUnscoped, 0, 255),
    floodMaxAdvert: clamp(p.floodMaxAdvert, 0, 255),
    advertInterval: clamp(p.advertInterval, 0, 255),
    floodAdvertInterval: clamp(p.floodAdvertInterval, 0, 255),
  };
}

type Key = keyof RepeaterPrefs;
/** NodePrefs::structure() keys, nested as the firmware nests them (RadioPrefs "radio", RepeatPrefs "repeat", …). */
const LAYOUT: Record<string, Key | Record<string, Key>> = {
  name: 'nodeName',
  pass: 'password',
  guest: 'guestPassword',
  owner: 'ownerInfo',
  adv_int: 'advertInterval',
  f_adv_int: 'floodAdvertInterval',
  lat: 'nodeLat',
  lon: 'nodeLon',
  radio: {
    freq: 'freq',
    bw: 'bw',
    sf: 'sf',
    cr: 'cr',
    cad: 'cadEnabled',
    int_thr: 'interferenceThreshold',
    rxgain: 'rxBoostedGain',
    fem_rxgain: 'radioFemRxgain',
    fem_txgain: 'radioFemTxgain',
    tx: 'txPowerDbm',
    af: 'airtimeFactor',
    rxdelay: 'rxDelayBase',
    f_txdelay: 'txDelayFactor',
    d_txdelay: 'directTxDelayFactor',
    agc_int: 'agcResetInterval',
    hash_mode: 'pathHashMode',
    multi_ack: 'multiAcks',
  },
  gps: { en: 'gpsEnabled', int: 'gpsInterval', adv_loc: 'advertLocPolicy' },
  power: { adc_mult: 'adcMultiplier', pwr_sav_en: 'powersavingEnabled' },
  repeat: { disable: 'disableFwd', f_max: 'floodMax', f_max_uns: 'floodMaxUnscoped', f_max_adv: 'floodMaxAdvert', loop: 'loopDetect' },
  room: { rd_only: 'allowReadOnly' },
  // not in NodePrefs::structure() (the firmware keeps it only in the legacy binary file); persisted so that node
  // discovery's `since` filter survives a restart
  disc_mod: 'discoveryModTimestamp',
};

/** Prefs → the firmware's /prefs.json shape. */
export function prefsToJson(p: RepeaterPrefs): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(LAYOUT)) {
    if (typeof v === 'string') out[k] = p[v];
    else out[k] = Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, p[vv]]));
  }
  return out;
}

/**
 * The firmware's /prefs.json shape → prefs over the defaults. A missing or ill-typed field keeps its default (a
 * newer or older file loads as well as it can, as ConfigSerializer does); the result is sanitised.
 */
export function prefsFromJson(json: unknown, base: RepeaterPrefs = defaultRepeaterPrefs()): RepeaterPrefs {
  const out: RepeaterPrefs = { ...base };
  const rec = (o: unknown): Record<string, unknown> => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>) : {});
  const put = (key: Key, v: unknown): void => {
    const want = typeof base[key];
    if (typeof v === want && (want !== 'number' || Number.isFinite(v))) (out as unknown as Record<string, unknown>)[key] = v;
  };
  const top = rec(json);
  for (const [k, v] of Object.entries(LAYOUT)) {
    if (typeof v === 'string') put(v, top[k]);
    else {
      const sub = rec(top[k]);
      for (const [kk, vv] of Object.entries(v)) put(vv, sub[kk]);
    }
  }
  return sanitisePrefs(out);
}
