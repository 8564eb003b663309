import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from './node-version-check.js';

describe('the Node.js version check', () => {
  it('accepts Node 24 and names the needed version and what to run otherwise', () => {
    expect(nodeVersionProblem('24.9.0')).toBeNull();
    expect(nodeVersionProblem('20.20.2')).toMatch(/needs Node\.js 24, and this is Node\.js 20\.20\.2.*npm start/);
    expect(nodeVersionProblem('25.0.0')).toContain('needs Node.js 24');
  });
});
