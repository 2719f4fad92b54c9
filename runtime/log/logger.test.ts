import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { configureLogging, createLogger, setLogSink, streamSink } from './logger.js';
import { levelFor, parseLevelSpec } from './levels.js';
import { hexDump } from './hex-dump.js';
import { captureLogs } from './testing/capture-logs.js';

function memoryStream(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, stream: { isTTY, write: (s: string) => lines.push(s) } };
}

test('JSON lines when the stream is not a terminal', () => {
  const { lines, stream } = memoryStream(false);
  const restore = setLogSink(streamSink({ stream }), 'info');
  try {
    const log = createLogger('router');
    log.info('stored bundle', { id: 'ab12', bytes: new Uint8Array([1, 2, 255]), msg: 'clash' });
    log.debug('not written');
    log.warn('multi\nline');
  } finally {
    restore();
  }
  assert.is(lines.length, 2);
  assert.ok(lines.every((l) => l.endsWith('\n') && l.indexOf('\n') === l.length - 1));
  const rec = JSON.parse(lines[0]);
  assert.is(rec.level, 'info');
  assert.is(rec.ns, 'router');
  assert.is(rec.msg, 'stored bundle');
  assert.is(rec.id, 'ab12');
  assert.is(rec.bytes, '0102ff');
  assert.is(rec._msg, 'clash');
  assert.ok(!Number.isNaN(Date.parse(rec.time)));
  assert.is(JSON.parse(lines[1]).msg, 'multi\nline');
});

test('human text on a terminal, forced formats win', () => {
  const tty = memoryStream(true);
  let restore = setLogSink(streamSink({ stream: tty.stream, color: false }), 'info');
  createLogger('ip').info('peer up', { peer: 'relay-a:9333', name: 'roof top' });
  restore();
  assert.match(tty.lines[0], /^\d\d:\d\d:\d\d\.\d{3} INFO  ip: peer up peer=relay-a:9333 name="roof top"\n$/);

  const forcedJson = memoryStream(true);
  restore = setLogSink(streamSink({ stream: forcedJson.stream, format: 'json' }), 'info');
  createLogger('ip').info('x');
  restore();
  assert.is(JSON.parse(forcedJson.lines[0]).msg, 'x');

  const forcedText = memoryStream(false);
  restore = setLogSink(streamSink({ stream: forcedText.stream, format: 'text' }), 'info');
  createLogger('ip').error('boom', { err: Object.assign(new TypeError('bad'), { code: 7 }) });
  restore();
  assert.match(forcedText.lines[0], /ERROR ip: boom err=\{"name":"TypeError","message":"bad","code":7\}/);
});

test('levels, per-namespace levels and child namespaces', () => {
  const spec = parseLevelSpec('warn,router=debug,ip.peer=trace');
  assert.is(levelFor(spec, 'router'), 'debug');
  assert.is(levelFor(spec, 'router.table'), 'debug');
  assert.is(levelFor(spec, 'ip'), 'warn');
  assert.is(levelFor(spec, 'ip.peer'), 'trace');
  assert.throws(() => parseLevelSpec('loud'), (e: Error) => e instanceof RangeError);
  assert.throws(() => parseLevelSpec('info,debug'), (e: Error) => e instanceof RangeError);
  assert.throws(() => parseLevelSpec('router=verbose'), (e: Error) => e instanceof RangeError);

  const logs = captureLogs('warn,router=debug');
  try {
    const router = createLogger('router');
    const ip = createLogger('ip');
    router.debug('a');
    router.trace('b');
    ip.info('c');
    ip.warn('d');
    router.child('table').debug('e');
    assert.equal(logs.records.map((r) => `${r.namespace}:${r.message}`), ['router:a', 'ip:d', 'router.table:e']);
    assert.is(logs.of('router').length, 2);
    assert.ok(router.enabled('debug'));
    assert.not.ok(ip.enabled('info'));
  } finally {
    logs.restore();
  }
});

test('frames are hex-dumped at debug only, cut at 256 bytes below trace', () => {
  const frame = new Uint8Array(300).map((_, i) => i & 0xff);
  let logs = captureLogs('info');
  createLogger('lora').frame('rx', frame);
  assert.is(logs.records.length, 0);
  logs.restore();

  logs = captureLogs('debug');
  createLogger('lora').frame('rx', frame, { rssi: -90 });
  logs.restore();
  const rec = logs.records[0];
  assert.is(rec.level, 'debug');
  assert.is(rec.message, 'rx frame');
  assert.is(rec.fields!.bytes, 300);
  assert.is(rec.fields!.rssi, -90);
  assert.ok(String(rec.fields!.hex).startsWith('00 01 02'));
  assert.ok(String(rec.fields!.hex).endsWith('…(+44 bytes)'));

  logs = captureLogs('trace');
  createLogger('lora').frame('tx', frame);
  logs.restore();
  assert.is(String(logs.records[0].fields!.hex).split(' ').length, 300);
  assert.is(hexDump(new Uint8Array([0xde, 0xad])), 'de ad');
});

test('a throwing sink or an unserializable field never reaches the caller', () => {
  const restore = setLogSink(() => { throw new Error('sink broke'); }, 'trace');
  createLogger('x').error('still fine');
  restore();
  const { lines, stream } = memoryStream(false);
  const r2 = setLogSink(streamSink({ stream }), 'info');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  createLogger('x').info('cycle', { cyclic });
  r2();
  assert.is(JSON.parse(lines[0]).fields, '[unserializable]');
});

test('configureLogging validates the level', () => {
  assert.throws(() => configureLogging({ level: 'nope', stream: memoryStream(false).stream }), (e: Error) => e instanceof RangeError);
  const { lines, stream } = memoryStream(false);
  configureLogging({ level: 'error', format: 'json', stream });
  createLogger('y').warn('dropped');
  createLogger('y').error('kept');
  assert.equal(lines.map((l) => JSON.parse(l).msg), ['kept']);
  configureLogging({ level: 'silent', stream });
  createLogger('y').error('silent');
  assert.is(lines.length, 1);
});

test.run();
