// Prometheus metrics for the HTTP surface: request counts and latency per route, plus the
// process defaults (memory, event loop lag) that prom-client collects. With several worker
// processes a scrape answers for all of them (cluster/cluster-metrics.ts).
import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { requestClusterMetrics, shareWorkerRegistry, type RenderedMetrics } from '../cluster/cluster-metrics.js';
import { AppConfig } from '../config/app-config.js';

@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'sift_http_requests_total',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'sift_http_request_duration_seconds',
    help: 'HTTP request latency by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });

  constructor(private readonly config: AppConfig) {
    collectDefaultMetrics({ register: this.registry, prefix: 'sift_' });
    if (config.role.clustered) shareWorkerRegistry(this.registry);
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.requests.inc({ method, route, status: String(status) });
    this.latency.observe({ method, route }, seconds);
  }

  /** This process's metrics, or with several workers the sum over all of them. */
  async render(): Promise<RenderedMetrics> {
    const own = async () => ({ contentType: this.registry.contentType, body: await this.registry.metrics() });
    if (!this.config.role.clustered) return own();
    try {
      return await requestClusterMetrics();
    } catch (error) {
      // A scrape still gets numbers, marked as one worker's, rather than an error.
      const local = await own();
      const reason = error instanceof Error ? error.message : String(error);
      return { ...local, body: `# Worker ${this.config.role.slot} only: the sum over all workers failed (${reason}).\n${local.body}` };
    }
  }
}
