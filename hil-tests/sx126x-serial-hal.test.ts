/**
 * SerialHal against a scripted bridge on an in-memory link: the failure modes a real bridge can show (silence,
 * ERROR replies, short XFER replies, late replies, unplugging, a version it does not speak, noise), each giving its
 * typed error without losing the session.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LinkBase } from '../drivers/serial/link-base.js';
import { SerialHal } from '../drivers/sx126x/serial-hal.js';
import { encodeMessage, LatticeSerialDecoder, latticeSerialCodec } from '../firmware-protocol/lattice-serial/codec.js';
import { MsgType, type BridgeMessage } from '../firmware-protocol/lattice-serial/messages.js';

class End extends LinkBase {
  readonly description = 'memory:bridge';
  isOpen = true;
  peer!: End;
  async write(data: Uint8Array): Promise<void> {
    if (!this.isOpen) throw new Error('closed');
    const copy = Uint8Array.from(data);
    setImmediate(() => this.peer.emit(copy));
  }
  emit(d: Uint8Array) { this.emitData(d); }
  async close(): Promise<void> { this.isOpen = false; this.emitClose(); this.peer.isOpen = false; this.peer.emitClose(); }
  drop(err: Error) { this.isOpen = false; this.emitClose(err); }
}

/** A bridge whose answer to each request is decided by `script`. */
function scripted(script: (m: BridgeMessage, reply: (r: BridgeMessage | Uint8Array) => void) => void) {
  const host = new End();
  const dev = new End();
  host.peer = dev;
  dev.peer = host;
  const dec = new LatticeSerialDecoder();
  dev.onData((chunk) => {
    for (const ev of dec.push(chunk)) {
      if (ev.kind !== 'message') continue;
      const m = ev.message;
      if (m[0] === MsgType.Hello) void dev.write(encodeMessage([MsgType.HelloAck, m[1], 1, 'scripted', 4, 600]));
      else script(m, (r) => void dev.write(r instanceof Uint8Array ? r : encodeMessage(r)));
    }
  });
  const hal = new SerialHal({ link: host, codec: latticeSerialCodec, requestTimeoutMs: 300 });
  return { host, dev, hal };
}

const err = (p: Promise<unknown>) => p.then(() => undefined, (e: Error) => e);

test('XFER round trip returns the status byte and tracks DIO1', async () => {
  const { hal } = scripted((m, reply) => {
    if (m[0] === MsgType.Xfer) reply([MsgType.XferAck, m[1], new Uint8Array(m[2].length).fill(0xa2), 1]);
  });
  assert.is(await hal.write(0x80, Uint8Array.of(0)), 0xa2);
  await hal.waitIrq({ signal: AbortSignal.timeout(1000) }); // DIO1 reported high
  await hal.close();
});

test('silence gives Sx126xBridgeTimeoutError naming the reply', async () => {
  const { hal } = scripted(() => undefined);
  const e = await err(hal.write(0x80, Uint8Array.of(0)));
  assert.is(e?.name, 'Sx126xBridgeTimeoutError');
  assert.match(e!.message, /XFER reply/);
  await hal.close();
});

test('ERROR replies map to typed errors; BUSY_TIMEOUT keeps opcode and phase', async () => {
  const { hal } = scripted((m, reply) => {
    if (m[0] === MsgType.Xfer) reply([MsgType.Error, m[1], 3, 'BUSY high after', m[2][0], 'after', 1000]);
    if (m[0] === MsgType.SetPins) reply([MsgType.Error, m[1], 7, 'spi peripheral fault']);
  });
  const e = await err(hal.write(0x83, Uint8Array.of(0, 0, 0)));
  assert.is(e?.name, 'Sx126xBusyTimeoutError');
  assert.is((e as unknown as { opcode: number }).opcode, 0x83);
  assert.is((e as unknown as { phase: string }).phase, 'after');
  const e2 = await err(hal.setRfSwitch('rx'));
  assert.is(e2?.name, 'Sx126xBridgeError');
  assert.is((e2 as unknown as { code: number }).code, 7);
  await hal.close();
});

test('a short XFER reply is an error; a late reply to a timed-out request is ignored', async () => {
  let n = 0;
  const { hal, dev } = scripted((m, reply) => {
    if (m[0] !== MsgType.Xfer) return;
    n++;
    if (n === 1) reply([MsgType.XferAck, m[1], Uint8Array.of(0xa2), 0]);
    if (n === 2) setTimeout(() => reply([MsgType.XferAck, m[1], new Uint8Array(m[2].length), 0]), 400);
    if (n === 3) reply([MsgType.XferAck, m[1], new Uint8Array(m[2].length).fill(0xa2), 0]);
  });
  assert.is((await err(hal.read(Uint8Array.of(0x1d, 0x07, 0x40), 2)))?.name, 'Sx126xBridgeError');
  assert.is((await err(hal.write(0x80, Uint8Array.of(0))))?.name, 'Sx126xBridgeTimeoutError');
  await new Promise((r) => setTimeout(r, 150));
  assert.is(await hal.write(0x80, Uint8Array.of(0)), 0xa2);
  void dev;
  await hal.close();
});

test('noise and garbage frames are counted, not thrown', async () => {
  const { hal, dev } = scripted((m, reply) => {
    if (m[0] === MsgType.Xfer) {
      reply(Uint8Array.of(0xc0, 0x01, 0x02, 0xc0, 0xdb, 0x00, 0xc0));
      reply([MsgType.XferAck, m[1], new Uint8Array(m[2].length).fill(0xa2), 0]);
    }
  });
  assert.is(await hal.write(0x80, Uint8Array.of(0)), 0xa2);
  assert.ok(hal.invalidFrames >= 1);
  void dev;
  await hal.close();
});

test('unplugging rejects pending requests and IRQ waits with Sx126xBridgeClosedError', async () => {
  const { hal, host } = scripted(() => undefined);
  const pending = err(hal.write(0x80, Uint8Array.of(0)));
  await new Promise((r) => setTimeout(r, 20));
  host.drop(new Error('EIO'));
  assert.is((await pending)?.name, 'Sx126xBridgeClosedError');
  assert.is((await err(hal.write(0x80, Uint8Array.of(0))))?.name, 'Sx126xBridgeClosedError');
  assert.is((await err(hal.waitIrq()))?.name, 'Sx126xBridgeClosedError');
});

test.run();
