/**
 * Layouts checked by an independent client, @liamcottle/meshcore.js: its Connection.getStatus parses our GET_STATUS
 * blob (handed over as the companion's PUSH 0x87 would carry it) and its CayenneLpp.parse reads our telemetry.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as meshcoreJs from '@liamcottle/meshcore.js';
import { encodeRepeaterStats, type RepeaterStats } from '../ota/repeater-stats.js';
import { LppWriter } from '../ota/cayenne-lpp.js';

interface OracleConnection {
  onFrameReceived(frame: Uint8Array): void;
  getStatus(publicKey: Uint8Array, extraTimeoutMillis?: number): Promise<Record<string, number>>;
}
const mc = meshcoreJs as unknown as {
  Connection: new () => OracleConnection;
  CayenneLpp: { parse(bytes: Uint8Array): { channel: number; type: number; value: number }[] };
};

const STATS: RepeaterStats = {
  battMilliVolts: 4012,
  currTxQueueLen: 3,
  noiseFloor: -117,
  lastRssi: -101,
  nPacketsRecv: 123456,
  nPacketsSent: 65432,
  totalAirTimeSecs: 777,
  totalUpTimeSecs: 86_400,
  nSentFlood: 11,
  nSentDirect: 22,
  nRecvFlood: 33,
  nRecvDirect: 44,
  errEvents: 5,
  lastSnr: -26,
  nDirectDups: 6,
  nFloodDups: 7,
  totalRxAirTimeSecs: 888,
  nRecvErrors: 9,
};

test('meshcore.js getStatus reads our RepeaterStats blob field by field', async () => {
  const key = new Uint8Array(32).fill(0xa5);
  class Conn extends mc.Connection {
    async sendToRadioFrame(): Promise<void> {
      setImmediate(() => {
        this.onFrameReceived(Uint8Array.of(6, 0, 0, 0, 0, 0, 0x10, 0x27, 0, 0)); // SENT, est. timeout 10 s
        this.onFrameReceived(new Uint8Array([0x87, 0, ...key.subarray(0, 6), ...encodeRepeaterStats(STATS)]));
      });
    }
  }
  const s = await new Conn().getStatus(key);
  assert.equal(s, {
    batt_milli_volts: 4012,
    curr_tx_queue_len: 3,
    noise_floor: -117,
    last_rssi: -101,
    n_packets_recv: 123456,
    n_packets_sent: 65432,
    total_air_time_secs: 777,
    total_up_time_secs: 86_400,
    n_sent_flood: 11,
    n_sent_direct: 22,
    n_recv_flood: 33,
    n_recv_direct: 44,
    err_events: 5,
    last_snr: -26,
    n_direct_dups: 6,
    n_flood_dups: 7,
  });
});

test('meshcore.js CayenneLpp reads our voltage and temperature fields', () => {
  const lpp = new LppWriter();
  lpp.addVoltage(1, 4.123);
  lpp.addTemperature(1, -3.5);
  const parsed = mc.CayenneLpp.parse(lpp.bytes());
  assert.equal(parsed.map((p) => [p.channel, p.type]), [[1, 116], [1, 103]]);
  assert.is(parsed[0].value, 4.12);
  assert.is(parsed[1].value, -3.5);
});

test.run();
