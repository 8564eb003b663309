// What OpenTelemetry costs a search (issue 17): /search at concurrency 8 against two fresh
// servers on the same data, one with tracing off (the default) and one exporting every span
// over OTLP/HTTP to a receiver in this process (test/fakes/otlp-receiver.ts, which decodes
// what a collector would). Same warm-up, same load, one after the other in one run.
import { startOtlpReceiver } from '../../test/fakes/otlp-receiver.js';
import { runLoad, type LoadResult } from './http-load.js';
import { startSiftServer } from './sift-server.js';

export interface TracingOverheadResult {
  off: LoadResult;
  on: LoadResult;
  /** Spans the receiver got from the traced server, per request. */
  spansPerRequest: number;
}

export async function measureTracingOverhead(
  repoRoot: string,
  dataDir: string,
  search: { path: string; bodies: unknown[] },
  seconds: number,
  log: (line: string) => void,
): Promise<TracingOverheadResult> {
  const run = async (env: Record<string, string>) => {
    const server = await startSiftServer(repoRoot, dataDir, env);
    try {
      const target = { host: server.host, port: server.port, ...search };
      // The same warm-up as the main /search rows: JIT, page cache, the in-memory index.
      await runLoad(target, 2, { seconds: 4, maxRequests: 5_000 });
      return await runLoad(target, 8, { seconds, maxRequests: 50_000 });
    } finally {
      await server.stop();
    }
  };
  log(`/search, concurrency 8, tracing off, ${seconds} s ...`);
  // Whatever the shell says, one server exports nowhere and the other to the receiver only.
  const off = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
  const receiver = await startOtlpReceiver();
  try {
    log(`/search, concurrency 8, tracing on (OTLP/HTTP to a local receiver), ${seconds} s ...`);
    const on = await run({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '', OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'always_on' });
    const requests = receiver.spans.filter((span) => span.name.startsWith('POST ')).length;
    return { off, on, spansPerRequest: requests === 0 ? 0 : receiver.spans.length / requests };
  } finally {
    await receiver.close();
  }
}
