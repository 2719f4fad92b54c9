import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatHostPort, isLoopbackHost, parseHostPort } from './host-port.js';
import { parseByteSize } from './byte-size.js';

test('host:port forms', () => {
  assert.equal(parseHostPort('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
  assert.equal(parseHostPort(' relay.example.org:9333 '), { host: 'relay.example.org', port: 9333 });
  assert.equal(parseHostPort('[::1]:80'), { host: '::1', port: 80 });
  assert.equal(parseHostPort('8080'), { port: 8080 });
  for (const bad of ['', ':80', 'host:', 'host:0', 'host:65536', 'host:8o', '::1:80', '[::1]80', '[nope]:80', 'bad host:80', '-x:1']) {
    assert.type(parseHostPort(bad), 'string', bad);
  }
});

test('loopback detection and formatting', () => {
  for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost', 'LOCALHOST', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(h), h);
  for (const h of ['0.0.0.0', '::', '10.0.0.1', 'relay.local', '128.0.0.1']) assert.not.ok(isLoopbackHost(h), h);
  assert.is(formatHostPort({ host: '::1', port: 8080 }), '[::1]:8080');
  assert.is(formatHostPort({ host: 'a', port: 1 }), 'a:1');
});

test('byte sizes', () => {
  const table: [unknown, number | 'error'][] = [
    [0, 0], [4096, 4096], ['4096', 4096], ['4096B', 4096], ['1k', 1024], ['1KiB', 1024], ['1kB', 1000], ['64MiB', 64 * 1024 ** 2],
    ['1.5 GiB', 1.5 * 1024 ** 3], ['2GB', 2e9], [-1, 'error'], [1.5, 'error'], ['10 parsecs', 'error'], ['', 'error'], [null, 'error'], [true, 'error'],
  ];
  for (const [input, want] of table) {
    const got = parseByteSize(input);
    if (want === 'error') assert.type(got, 'string', String(input));
    else assert.is(got, want, String(input));
  }
});

test.run();
