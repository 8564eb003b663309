// OpenTelemetry tracing through the official SDK: with OTEL_EXPORTER_OTLP_ENDPOINT (or the
// traces endpoint) set, spans go over OTLP/HTTP to a collector, Jaeger, Tempo, Honeycomb or
// Langfuse; a client's W3C `traceparent` is continued. Unset (the default), nothing is
// registered and the API's no-op tracer answers every span (see spans.ts).
import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { detectResources, envDetector, resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, TracerProvider, type Sampler } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { AppConfig } from '../config/app-config.js';

/** Where spans go, or null when tracing is off. */
export function tracesEndpoint(values: AppConfig['values']): string | null {
  if (values.OTEL_SDK_DISABLED) return null;
  if (values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return values.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!values.OTEL_EXPORTER_OTLP_ENDPOINT) return null;
  return `${values.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
}

/** The sampler OTEL_TRACES_SAMPLER names, as the specification defines them. */
function samplerFrom(values: AppConfig['values']): Sampler {
  const ratio = new TraceIdRatioBasedSampler(values.OTEL_TRACES_SAMPLER_ARG);
  switch (values.OTEL_TRACES_SAMPLER) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return ratio;
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: ratio });
  }
}

/**
 * Registers the tracer provider for this process when an endpoint is configured, and flushes
 * and unregisters it when the application stops (so a test can start another).
 */
@Injectable()
export class OpenTelemetryTracing implements OnApplicationShutdown {
  private readonly provider: TracerProvider | null = null;

  constructor(config: AppConfig) {
    const url = tracesEndpoint(config.values);
    if (!url) return;
    const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.values.OTEL_SERVICE_NAME, [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0' }).merge(
      detectResources({ detectors: [envDetector] }),
    );
    this.provider = new TracerProvider({ resource, sampler: samplerFrom(config.values), spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url }) })] });
    const registered = trace.setGlobalTracerProvider(this.provider);
    if (!registered) {
      // Another provider (an embedding application's) is in place already; ours would see nothing.
      new Logger('Tracing').warn('An OpenTelemetry tracer provider is registered already; Sift exports through that one.');
      this.provider = null;
      return;
    }
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    // Origin and path only: a URL may carry credentials.
    const shown = new URL(url);
    new Logger('Tracing').log(`OpenTelemetry: exporting spans to ${shown.origin}${shown.pathname}`);
  }

  get enabled(): boolean {
    return this.provider !== null;
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.provider) return;
    await this.provider.shutdown().catch((error: unknown) => new Logger('Tracing').warn(`Could not flush the last spans: ${error instanceof Error ? error.message : String(error)}`));
    trace.disable();
    context.disable();
    propagation.disable();
  }
}
