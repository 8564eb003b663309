// /metrics across worker processes: each worker keeps its own prom-client registry, so the
// worker that gets the scrape asks the primary, which collects every worker's registry over
// the cluster channel (prom-client's AggregatorRegistry) and sums them.
import { AggregatorRegistry, type Registry } from 'prom-client';

const METRICS_REQUEST = 'sift:metrics-request';
const METRICS_RESPONSE = 'sift:metrics-response';
const ANSWER_WITHIN_MS = 6_000;

export interface RenderedMetrics {
  contentType: string;
  body: string;
}

interface MetricsRequest {
  type: typeof METRICS_REQUEST;
  id: number;
}

type MetricsResponse = { type: typeof METRICS_RESPONSE; id: number } & ({ metrics: RenderedMetrics } | { error: string });

/** Worker side, at start: answer the primary's collection requests with this registry. */
export function shareWorkerRegistry(registry: Registry): void {
  // Constructing one installs prom-client's worker-side listener.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

let nextRequestId = 0;

/** Worker side: the metrics of all workers, summed by the primary. */
export function requestClusterMetrics(): Promise<RenderedMetrics> {
  const id = nextRequestId++;
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if (!isMessage<MetricsResponse>(message, METRICS_RESPONSE) || message.id !== id) return;
      settle();
      if ('metrics' in message) resolve(message.metrics);
      else reject(new Error(message.error));
    };
    const timer = setTimeout(() => {
      settle();
      reject(new Error(`the primary process did not answer within ${ANSWER_WITHIN_MS / 1000} s`));
    }, ANSWER_WITHIN_MS);
    const settle = () => {
      clearTimeout(timer);
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    process.send!({ type: METRICS_REQUEST, id } satisfies MetricsRequest);
  });
}

/** Primary side: answers workers' requests with the aggregate of every worker's registry. */
export function serveClusterMetrics(on: (listener: (reply: (message: MetricsResponse) => void, message: unknown) => void) => void): void {
  const aggregator = new AggregatorRegistry();
  on((reply, message) => {
    if (!isMessage<MetricsRequest>(message, METRICS_REQUEST)) return;
    aggregator.clusterMetrics().then(
      (body) => reply({ type: METRICS_RESPONSE, id: message.id, metrics: { contentType: aggregator.contentType, body } }),
      (error: unknown) => reply({ type: METRICS_RESPONSE, id: message.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
}

function isMessage<T extends { type: string }>(message: unknown, type: T['type']): message is T {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === type;
}
