/** The example config parses, and the README's table names every environment variable and flag there is. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYamlConfig } from './yaml-config.js';
import { parseConfig } from './parse-config.js';
import { SETTINGS } from './settings.js';
import { DEFAULTS } from './defaults.js';

const here = (name: string) => fileURLToPath(new URL(name, import.meta.url));

test('lattice.example.yaml is a valid config using every section', () => {
  const file = here('lattice.example.yaml');
  const doc = parseYamlConfig(readFileSync(file, 'utf8'), file) as Record<string, unknown>;
  for (const section of ['dataDir', ...Object.keys(DEFAULTS), 'sim']) assert.ok(section in doc, `example shows ${section}`);
  const c = parseConfig(doc, {}, { configFile: file });
  assert.is(c.lora[0].pins.dio1, 16);
  assert.equal(c.ip.peers[1], { host: '192.168.1.20', port: 9333 });
  assert.is(c.vault.maxBytes, 256 * 1024 * 1024);
});

test('README lists every environment variable and flag', () => {
  const readme = readFileSync(here('README.md'), 'utf8');
  for (const s of SETTINGS) {
    if (s.env) assert.ok(readme.includes(`\`${s.env}\``), s.env);
    if (s.flag) assert.ok(readme.includes(`\`--${s.flag}\``), `--${s.flag}`);
  }
});

test.run();
