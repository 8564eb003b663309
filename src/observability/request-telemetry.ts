// What every HTTP request leaves behind: its OpenTelemetry server span (continuing the
// client's W3C `traceparent`), its Prometheus numbers, and one log line with method, route,
// status, time, request id, trace id and collection. Never bodies, headers or query strings:
// those may hold document text or keys.
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, propagation, trace, type Span } from '@opentelemetry/api';
import type { LoggerService } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { MetricsService } from './metrics.service.js';
import { siftTracer } from './spans.js';

/** A client's own request id is kept when it is short and plain; otherwise Sift makes one. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;
const COLLECTION_IN_PATH = /^\/v1\/collections\/([^/]+)/;

export interface RequestLogLine {
  method: string;
  route: string;
  status: number;
  ms: number;
  requestId: string;
  traceId?: string;
  collection?: string;
  /** The client went away before the answer was complete. */
  aborted?: true;
}

export function requestTelemetry(metrics: MetricsService, logger: LoggerService, format: 'json' | 'pretty') {
  return (request: Request, response: Response, next: NextFunction): void => {
    const started = performance.now();
    const header = request.headers['x-request-id'];
    const requestId = typeof header === 'string' && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
    response.setHeader('x-request-id', requestId);
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = siftTracer().startSpan(request.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': request.method, 'url.path': request.path, 'sift.request_id': requestId } }, parent);

    response.once('close', () => {
      const route = request.route ? `${request.baseUrl}${String(request.route.path)}` : 'unmatched';
      const ms = performance.now() - started;
      const finished = response.writableFinished;
      if (finished) metrics.observeRequest(request.method, route, response.statusCode, ms / 1000);
      const collection = collectionOf(request.path);
      const line: RequestLogLine = { method: request.method, route, status: response.statusCode, ms: Math.round(ms * 100) / 100, requestId };
      if (span.isRecording()) {
        line.traceId = span.spanContext().traceId;
        endServerSpan(span, request.method, route, response.statusCode, collection, finished);
      }
      if (collection) line.collection = collection;
      if (!finished) line.aborted = true;
      logRequest(logger, format, line);
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

function endServerSpan(span: Span, method: string, route: string, status: number, collection: string | undefined, finished: boolean): void {
  span.updateName(`${method} ${route}`);
  span.setAttributes({ 'http.route': route, 'http.response.status_code': status, ...(collection ? { 'sift.collection': collection } : {}) });
  // Server spans are errors for 5xx only (a 4xx is the client's); a cut-off answer is one too.
  if (status >= 500) span.setAttributes({ 'error.type': String(status) }).setStatus({ code: SpanStatusCode.ERROR });
  if (!finished) span.setStatus({ code: SpanStatusCode.ERROR, message: 'the client closed the connection before the answer was complete' });
  span.end();
}

function collectionOf(path: string): string | undefined {
  const match = COLLECTION_IN_PATH.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]!);
  } catch {
    return match[1];
  }
}

function logRequest(logger: LoggerService, format: 'json' | 'pretty', line: RequestLogLine): void {
  const summary = `${line.method} ${line.route} ${line.status} ${line.ms} ms`;
  if (format === 'json') {
    logger.log(summary, { ...line }, 'HTTP');
    return;
  }
  const extra = [`request ${line.requestId}`, line.traceId && `trace ${line.traceId}`, line.collection && `collection ${line.collection}`, line.aborted && 'aborted'].filter(Boolean);
  logger.log(`${summary} (${extra.join(', ')})`, 'HTTP');
}
