// .env.example is the list people copy: it must name every variable Sift reads, and
// its values must pass validation as they stand.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './app-config.js';
import { configSchema } from './config.schema.js';

const lines = readFileSync(new URL('../../.env.example', import.meta.url), 'utf8').split('\n');
const entries = Object.fromEntries(
  lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
);

describe('.env.example', () => {
  it('lists every configuration variable', () => {
    expect(Object.keys(entries).sort()).toEqual(expect.arrayContaining(Object.keys(configSchema.shape).sort()));
  });

  it('is a valid configuration as written', () => {
    expect(() => loadConfig(entries)).not.toThrow();
  });
});
