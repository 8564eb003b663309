// The README's error table is what client authors read: every code Sift can send must be
// in it, under the status the code maps to.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from './errors.js';
import { httpStatusFor } from './http-status-for.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README error table', () => {
  it.each(Object.values(ErrorCode))('documents %s under its HTTP status', (code) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| ${httpStatusFor(code)} |`));
    expect(row, `no README row for status ${httpStatusFor(code)}`).toBeDefined();
    expect(row).toContain(`\`${code}\``);
  });
});
