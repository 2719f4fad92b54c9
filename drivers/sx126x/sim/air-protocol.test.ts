import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeAirEvent, encodeAirRequest, LineSplitter, MAX_LINE_BYTES, parseAirEvent, parseAirRequest } from './air-protocol.js';

const TUNE = { op: 'tune', freqHz: 869525000, bwHz: 250000, sf: 11, cr: 5, syncWord: 43, preamble: 16, x: 0, y: 0 };

test('requests: the issue example parses; x, y default to 0; stats; tx hex', () => {
  const { op: _op, ...tuning } = TUNE;
  assert.equal(parseAirRequest(JSON.stringify(TUNE)), { op: 'tune', tuning });
  const { x: _x, y: _y, ...noPos } = TUNE;
  const r = parseAirRequest(JSON.stringify(noPos));
  assert.ok('op' in r && r.op === 'tune' && r.tuning.x === 0 && r.tuning.y === 0);
  assert.equal(parseAirRequest('{"op":"stats"}'), { op: 'stats' });
  const tx = parseAirRequest('{"op":"tx","data":"00ffAb"}');
  assert.ok('op' in tx && tx.op === 'tx');
  assert.equal([...(tx as { data: Uint8Array }).data], [0, 255, 0xab]);
  assert.equal(parseAirRequest('  {"op":"tx","data":""}\r'), { op: 'tx', data: new Uint8Array(0) });
});

test('hostile lines: ignored with a reason, never a throw', () => {
  const table: Array<[string, string]> = [
    ['', 'blank'],
    ['   ', 'blank'],
    ['hello', 'not-json'],
    ['[1,2]', 'not-json'],
    ['null', 'not-json'],
    ['"tune"', 'not-json'],
    ['{"op":"dance"}', 'unknown-op'],
    ['{}', 'unknown-op'],
    ['{"op":"tx"}', 'bad-fields'],
    ['{"op":"tx","data":"abc"}', 'bad-fields'],
    ['{"op":"tx","data":"zz"}', 'bad-fields'],
    [`{"op":"tx","data":"${'00'.repeat(256)}"}`, 'bad-fields'],
    [JSON.stringify({ ...TUNE, sf: 13 }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, sf: 11.5 }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, bwHz: 200000 }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, cr: 4 }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, syncWord: 256 }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, preamble: 0 }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, freqHz: '869525000' }), 'bad-fields'],
    [JSON.stringify({ ...TUNE, x: 'east' }), 'bad-fields'],
  ];
  for (const [line, reason] of table) {
    const r = parseAirRequest(line);
    assert.ok('ignored' in r, line);
    assert.is((r as { ignored: string }).ignored, reason, line);
  }
});

test('events round-trip through their lines; unknown events are undefined', () => {
  for (const e of [{ op: 'tuned' }, { op: 'txdone', airtimeMs: 370.688 }, { op: 'error', error: 'busy' }] as const) assert.equal(parseAirEvent(encodeAirEvent(e)), e);
  const rx = parseAirEvent(encodeAirEvent({ op: 'rx', data: Uint8Array.of(1, 0xfe), rssiDbm: -101.5, snrDb: 3.25 }));
  assert.equal(rx, { op: 'rx', data: Uint8Array.of(1, 0xfe), rssiDbm: -101.5, snrDb: 3.25 });
  assert.is(encodeAirEvent({ op: 'rx', data: Uint8Array.of(1, 0xfe), rssiDbm: -101.5, snrDb: 3.25 }), '{"op":"rx","data":"01fe","rssiDbm":-101.5,"snrDb":3.25}');
  assert.is(parseAirEvent('{"op":"rx","data":"0"}'), undefined);
  assert.is(parseAirEvent('nonsense'), undefined);
  assert.is(encodeAirRequest({ op: 'tx', data: Uint8Array.of(0xab) }), '{"op":"tx","data":"ab"}');
});

test('line splitter: whole, in two chunks, byte by byte; CRLF; an overlong line dropped once and reading resyncs', () => {
  const text = '{"op":"stats"}\r\n\n{"op":"tx","data":"01"}\n';
  const runs: string[][] = [];
  for (const chunks of [[text], [text.slice(0, 7), text.slice(7)], [...text]]) {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), () => assert.unreachable('not too long'));
    for (const c of chunks) s.push(Buffer.from(c));
    runs.push(lines);
  }
  for (const r of runs) assert.equal(r, ['{"op":"stats"}', '', '{"op":"tx","data":"01"}']);
  const lines: string[] = [];
  let tooLong = 0;
  const s = new LineSplitter((l) => lines.push(l), () => tooLong++);
  s.push(Buffer.alloc(MAX_LINE_BYTES + 10, 0x41));
  s.push(Buffer.alloc(MAX_LINE_BYTES, 0x41));
  s.push(Buffer.from('tail\n{"op":"stats"}\n'));
  assert.is(tooLong, 1);
  assert.equal(lines, ['{"op":"stats"}']);
});

test.run();
