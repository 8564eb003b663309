import { describe, expect, it } from 'vitest';
import { RestartPolicy } from './restart-policy.js';

describe('RestartPolicy', () => {
  it('replaces workers that die now and then', () => {
    const policy = new RestartPolicy(5, 60_000);
    for (let minute = 0; minute < 20; minute++) expect(policy.allowRestart(minute * 60_000 + 1)).toBe(true);
  });

  it('gives up on the sixth death within a minute', () => {
    const policy = new RestartPolicy(5, 60_000);
    for (let i = 0; i < 5; i++) expect(policy.allowRestart(1_000 + i * 1_000)).toBe(true);
    expect(policy.allowRestart(10_000)).toBe(false);
    expect(policy.recentDeaths).toBe(6);
  });

  it('forgets deaths older than the window', () => {
    const policy = new RestartPolicy(2, 10_000);
    expect(policy.allowRestart(0)).toBe(true);
    expect(policy.allowRestart(5_000)).toBe(true);
    expect(policy.allowRestart(10_000)).toBe(true);
    expect(policy.allowRestart(11_000)).toBe(false);
  });
});
