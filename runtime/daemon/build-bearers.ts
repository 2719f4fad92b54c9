/**
 * Config -> bearers: the one place that maps the `ip`, `mqtt`, `meshtastic`, `meshcore` and `lora` sections to
 * bearer instances. Every bearer kind loads only when the config names it (dynamic import): a laptop or CI never
 * loads spi-device/onoff, and an IP-only relay does not pay for the MQTT client or the Meshtastic protobuf schemas
 * (about 10 MiB of RSS on a 512 MB board, see BENCHMARKS.md).
 */
import type { Bearer } from '../bearer/bearer.js';
import type { Config, LoraConfig } from '../config/config.js';
import type { Identity } from '../identity/identity.js';
import { createLogger } from '../log/logger.js';
import type { Metrics } from '../metrics/metrics.js';

export interface BuiltBearers {
  bearers: Bearer[];
  /** Extra things to close after the bearers stopped (radios the bearers do not own). */
  cleanups: Array<() => Promise<void>>;
}

export async function buildBearers(config: Config, identity: Identity, metrics: Metrics): Promise<BuiltBearers> {
  const bearers: Bearer[] = [];
  const cleanups: Array<() => Promise<void>> = [];
  if (config.ip.enabled) {
    const { createIpBearer } = await import('../bearers/ip/ip-bearer.js');
    bearers.push(createIpBearer({
      identity,
      listen: config.ip.listen,
      staticPeers: config.ip.peers.map((p) => (p.host.includes(':') ? `[${p.host}]:${p.port}` : `${p.host}:${p.port}`)),
      discovery: config.ip.discovery,
      heartbeatMs: config.ip.heartbeatMs,
      ...(config.ip.psk !== undefined ? { psk: config.ip.psk } : {}),
      log: createLogger('ip'),
      metrics,
    }));
  }
  if (config.mqtt.url) {
    const { mqttBearerFromConfig } = await import('../bearers/mqtt/mqtt-from-config.js');
    const mqtt = mqttBearerFromConfig(config.mqtt, { identity, metrics, log: createLogger('mqtt') });
    if (mqtt) bearers.push(mqtt);
  }
  if (config.meshtastic.length) {
    const { createMeshtasticBearer } = await import('../bearers/meshtastic/create-meshtastic-bearer.js');
    config.meshtastic.forEach((m, i) => {
      bearers.push(createMeshtasticBearer({
        device: m.device,
        name: m.name,
        ...(m.hopLimit !== undefined ? { hopLimit: m.hopLimit } : {}),
        ...(m.broadcastChannel !== undefined ? { broadcastChannel: m.broadcastChannel } : {}),
        ...(m.wantAck !== undefined ? { wantAck: m.wantAck } : {}),
        ...(m.prefixOrigin !== undefined ? { prefixOrigin: m.prefixOrigin } : {}),
      }, i, { metrics, logger: createLogger(m.name) }));
    });
  }
  if (config.meshcore.length) {
    const { MeshCoreGateway } = await import('../bearers/meshcore/meshcore-gateway.js');
    const { meshCoreOpener } = await import('../bearers/meshcore/device-opener.js');
    for (const m of config.meshcore) {
      bearers.push(new MeshCoreGateway({
        name: m.name,
        open: meshCoreOpener(m.device),
        ...(m.channels ? { channels: m.channels } : {}),
        ...(m.floodScope ? { floodScope: m.floodScope } : {}),
        metrics,
        log: createLogger(m.name),
      }));
    }
  }
  if (config.lora.length > 0) {
    const { createAirtimeLedger, createLoraBearer } = await import('../bearers/lora/create-lora-bearer.js');
    // One ledger per board: the duty cycle limits the transmitter's sub-band use, whichever radio sends.
    const ledger = createAirtimeLedger(config.dataDir);
    for (const l of config.lora) {
      const { radio, close } = await openLoraRadio(l, config);
      if (close) cleanups.push(close);
      const radioLog = createLogger(l.name);
      radio.onError((err) => radioLog.warn('radio error', { err: err.message, name: err.name }));
      bearers.push(createLoraBearer({
        name: l.name,
        radio,
        nodeId: identity.nodeId,
        region: l.region,
        preset: l.preset,
        ...(l.txPowerDbm !== undefined ? { txPowerDbm: l.txPowerDbm } : {}),
        ledger,
        metrics,
        log: createLogger(l.name),
      }));
    }
  }
  return { bearers, cleanups };
}

async function openLoraRadio(l: LoraConfig, config: Config) {
  void config;
  if (l.hal === 'spi') {
    const { openLinuxSx126x } = await import('../../drivers/sx126x/open-linux-radio.js');
    const { Boards } = await import('../../drivers/sx126x/boards.js');
    const board = l.board ? Boards[l.board as keyof typeof Boards] : undefined;
    if (l.board && !board) throw new Error(`lora ${l.name}: unknown board ${l.board} (known: ${Object.keys(Boards).join(', ')})`);
    const pins = l.pins;
    const spi = /^\/dev\/spidev(\d+)\.(\d+)$/.exec(l.device ?? '/dev/spidev0.0');
    if (!spi) throw new Error(`lora ${l.name}: device must be /dev/spidevB.D for hal spi, got ${l.device}`);
    const boardPins = board ?? {
      description: `custom pins on ${l.device ?? '/dev/spidev0.0'}`,
      spi: { bus: Number(spi[1]), device: Number(spi[2]) },
      busy: need(l, 'busy'),
      dio1: need(l, 'dio1'),
      reset: need(l, 'reset'),
      ...(pins.nss !== undefined ? { csGpio: pins.nss } : {}),
      ...(pins.rxEn !== undefined ? { rxen: pins.rxEn } : {}),
      ...(pins.txEn !== undefined ? { txen: pins.txEn } : {}),
      ...(pins.power !== undefined ? { holdHigh: [pins.power] } : {}),
      dio2RfSwitch: pins.dio2 === undefined,
      variant: l.variant ?? 'sx1262',
      ...(l.tcxoVoltage === 0 ? {} : { tcxoVoltage: l.tcxoVoltage ?? 1.8 }),
    };
    const { radio, holds } = await openLinuxSx126x({ board: boardPins });
    // Lines held for the radio's lifetime (antenna-switch enables) are released after the bearer stopped.
    return { radio, close: async () => { for (const h of holds) await h.close(); } };
  }
  if (l.hal === 'serial') {
    if (!l.device) throw new Error(`lora ${l.name}: hal serial needs a device (the bridge MCU's serial port)`);
    const { openSerialLink } = await import('../../drivers/serial/serial-link.js');
    const { openSerialSx126x } = await import('../../drivers/sx126x/open-serial-radio.js');
    const { latticeSerialCodec } = await import('../../firmware-protocol/lattice-serial/codec.js');
    const link = await openSerialLink({ path: l.device });
    const { radio } = openSerialSx126x({ link, codec: latticeSerialCodec });
    return { radio, close: () => link.close() };
  }
  throw new Error(`lora ${l.name}: hal "emulated" radios only exist inside the simulated default (lattice run without config)`);
}

function need(l: LoraConfig, pin: 'busy' | 'dio1' | 'reset'): number {
  const v = l.pins[pin];
  if (v === undefined) throw new Error(`lora ${l.name}: pins.${pin} is required with hal spi unless a known board is given`);
  return v;
}
