// The console's first visit stays small: the budget is 200 KB of JavaScript, gzipped.
// A size, not a time: the figure is the same on every machine.
import { describe, expect, it } from 'vitest';
import { initialAssetSizes } from '../../bench/bench/console-load.js';
import { builtConsole } from './helpers/built-console.js';

describe('the console bundle', () => {
  it('loads at most 200 KB of gzipped JavaScript on a first visit, and names its assets by content', () => {
    const dir = builtConsole();
    const sizes = initialAssetSizes(dir);
    expect(sizes.js).toBeGreaterThan(1000);
    expect(sizes.js).toBeLessThanOrEqual(200 * 1024);
    expect(sizes.css).toBeGreaterThan(0);
  }, 60_000);
});
