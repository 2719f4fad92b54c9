import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { hostPortOfUrl } from './http-address.js';
import { parseConfig } from './parse-config.js';

test('http:// URLs give host:port; other text is not a URL', () => {
  const ok: [string, string][] = [
    ['http://127.0.0.1:8080', '127.0.0.1:8080'],
    ['http://127.0.0.1:8080/', '127.0.0.1:8080'],
    ['HTTP://Relay.Lan:8080', 'relay.lan:8080'],
    ['http://[::1]:8080', '[::1]:8080'],
    ['http://[fe80::1]:9000/', '[fe80::1]:9000'],
    ['http://relay:80', 'relay:80'],
    [' http://relay:8080 ', 'relay:8080'],
  ];
  for (const [url, hp] of ok) assert.equal(hostPortOfUrl(url), { hostPort: hp }, url);
  for (const notUrl of ['127.0.0.1:8080', '[::1]:8080', '8080', 'relay.lan:8080', '::1:8080']) assert.is(hostPortOfUrl(notUrl), undefined, notUrl);
});

test('unusable URLs say why', () => {
  const bad: [string, RegExp][] = [
    ['https://relay:8080', /plain HTTP \(no TLS\)/],
    ['ftp://relay:8080', /only http:\/\//],
    ['http://relay', /give the port, e\.g\. http:\/\/relay:8080/],
    ['http://user:pw@relay:8080', /no user or password/],
    ['http://relay:8080/status', /without a path/],
    ['http://relay:8080/?x=1', /without a path, query/],
    ['http://relay:8080#top', /without a path, query or fragment/],
    ['http://relay:99999', /not a valid URL/],
    ['http://:8080', /not a valid URL/],
  ];
  for (const [url, why] of bad) {
    const r = hostPortOfUrl(url) as { problem: string };
    assert.match(r.problem, why, url);
  }
});

test('--api and LATTICE_API take the URL form; problems are reported as path: message', () => {
  assert.equal(parseConfig({}, {}, { flags: { api: 'http://127.0.0.1:9999' } }).api, { host: '127.0.0.1', port: 9999 });
  assert.equal(parseConfig({}, { LATTICE_API: 'http://[::1]:9998/' }).api, { host: '::1', port: 9998 });
  try {
    parseConfig({}, {}, { flags: { api: 'https://127.0.0.1:9999' } });
    assert.unreachable();
  } catch (err) {
    assert.is((err as Error).name, 'ConfigError');
    assert.match((err as Error).message, /--api \(api\): "https:\/\/127\.0\.0\.1:9999": the relay serves plain HTTP/);
  }
});

test.run();
