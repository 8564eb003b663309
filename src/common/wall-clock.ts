// Wall-clock milliseconds with sub-millisecond precision. Unlike `performance.now()`, the
// readings of two threads compare: a parser thread's timings can become spans on the main one.
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
