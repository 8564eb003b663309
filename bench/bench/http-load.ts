// A closed-loop HTTP load generator: `concurrency` workers each send one request, wait for
// the whole response, and send the next, until a deadline or a request budget is reached.
// Latency is taken per request with performance.now(), so percentiles are exact (no
// millisecond-bucketed histogram, which would blur a 2 ms p50). node:http with a keep-alive
// agent keeps the client cheap: on a 2-core machine every cycle the client spends is one the
// server does not get.
import { Agent, request } from 'node:http';

export interface LoadTarget {
  host: string;
  port: number;
  path: string;
  /** GET sends no body; POST sends the JSON bodies in turn, worker w starting at body w * (bodies / concurrency). */
  method?: 'GET' | 'POST';
  bodies: readonly unknown[];
  /** Sent with every request, e.g. an API key. */
  headers?: Record<string, string>;
}

export interface LoadResult {
  concurrency: number;
  requests: number;
  errors: number;
  /** First non-2xx answer seen, to say what went wrong. */
  firstError: string | null;
  seconds: number;
  requestsPerSecond: number;
  latenciesMs: number[];
  /** When each request was sent (performance.now()), in the order of latenciesMs. */
  sentAtMs: number[];
}

/** Stops at `seconds`, at `maxRequests`, or when `until` aborts, whichever comes first. */
export async function runLoad(target: LoadTarget, concurrency: number, limits: { seconds: number; maxRequests: number; until?: AbortSignal }): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const payloads = target.method === 'GET' ? [null] : target.bodies.map((body) => Buffer.from(JSON.stringify(body)));
  const latenciesMs: number[] = [];
  const sentAtMs: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let sent = 0;
  const started = performance.now();
  const deadline = started + limits.seconds * 1000;

  const worker = async (index: number) => {
    let next = Math.floor((index * payloads.length) / concurrency);
    while (performance.now() < deadline && sent < limits.maxRequests && !limits.until?.aborted) {
      sent += 1;
      const payload = payloads[next % payloads.length]!;
      next += 1;
      const begin = performance.now();
      // A reset connection counts as a failed request (and is reported), not the end of the run.
      const { status, body } = await post(agent, target, payload).catch((error: Error) => ({ status: 0, body: `${error.message}` }));
      latenciesMs.push(performance.now() - begin);
      sentAtMs.push(begin);
      if (status < 200 || status > 299) {
        errors += 1;
        firstError ??= `HTTP ${status}: ${body.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, index) => worker(index)));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { concurrency, requests: latenciesMs.length, errors, firstError, seconds, requestsPerSecond: latenciesMs.length / seconds, latenciesMs, sentAtMs };
}

/** One request with a body serialized beforehand (null: GET), resolved when the whole answer is in. */
export function post(agent: Agent, target: LoadTarget, payload: Buffer | null): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.host,
        port: target.port,
        path: target.path,
        method: payload ? 'POST' : 'GET',
        headers: { ...target.headers, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (part: Buffer) => parts.push(part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload ?? undefined);
  });
}
