import { describe, expect, it } from 'vitest';
import { formatBytes, formatMs, formatUsd, headingTrail } from './format.ts';

describe('console formatting', () => {
  it('shows fractions of a cent with the digits that tell them apart, and nothing as $0', () => {
    expect(formatUsd(0)).toBe('$0');
    expect(formatUsd(0.000525)).toBe('$0.000525');
    expect(formatUsd(0.00000315)).toBe('$0.00000315');
    expect(formatUsd(0.0000603)).toBe('$0.0000603');
    expect(formatUsd(0.5)).toBe('$0.5');
    expect(formatUsd(262.5)).toBe('$262.50');
  });

  it('reads sizes and durations at their scale', () => {
    expect(formatBytes(900)).toBe('900 B');
    expect(formatBytes(2048)).toBe('2.0 KB');
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(formatMs(0.234)).toBe('0.23 ms');
    expect(formatMs(1170)).toBe('1.17 s');
  });

  it('joins a heading path and names a chunk without one', () => {
    expect(headingTrail(['Travel handbook', 'Expenses'])).toBe('Travel handbook › Expenses');
    expect(headingTrail([])).toBe('(no heading)');
  });
});
