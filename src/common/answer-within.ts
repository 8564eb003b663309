// A wait with a bound, for clients that take no AbortSignal: the work's answer if it comes
// within `ms`, else the error `late()` makes. A late answer, or a late failure, is dropped.
export function answerWithin<T>(work: Promise<T>, ms: number, late: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(late()), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}
