// A closed-loop HTTP load generator: `concurrency` workers each send one request, wait for
// the whole response, and send the next, until a deadline or a request budget is reached.
// Latency is taken per request with performance.now(), so percentiles are exact (no
// millisecond-bucketed histogram, which would blur a 2 ms p50). node:http with a keep-alive
// agent keeps the client cheap: on a 2-core machine every cycle the client spends is one the
// server does not get.
import { fork } from 'node:child_process';
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';

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

/**
 * runLoad in a child process (load-child.ts). A bench that has just held a large store in its
 * own heap pauses its clients for its collections, and those pauses count as the server's
 * latency: with 430 MB of heap in the generator's process, c=8 p99 against the same 400k
 * server read 31.8 ms instead of 18.3 ms. sentAtMs comes back on this process's clock.
 */
export function runLoadInChild(target: LoadTarget, concurrency: number, limits: { seconds: number; maxRequests: number }): Promise<LoadResult> {
  const child = fork(fileURLToPath(new URL('./load-child.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (result: LoadResult) => resolve({ ...result, sentAtMs: result.sentAtMs.map((sentAt) => sentAt - performance.timeOrigin) }));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`the load generator's process exited with code ${code}`));
    });
    child.send({ target, concurrency, limits });
  });
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
