// Wall-clock milliseconds with sub-millisecond precision. Unlike `performance.now()`, the
// readings of two threads or processes compare: a parser process's timings can become spans here.
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
