// A minimal OTLP/HTTP trace receiver on 127.0.0.1, standing in for a collector: it accepts
// what the official exporter (@opentelemetry/exporter-trace-otlp-http) sends, the
// ExportTraceServiceRequest in OTLP's JSON encoding, and keeps the spans flattened with their
// attributes decoded, so tests (and the bench) can look at the tree a trace backend would show.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

type OtlpValue = { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean; arrayValue?: { values?: OtlpValue[] } };
interface OtlpKeyValue {
  key: string;
  value: OtlpValue;
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string | number;
  endTimeUnixNano: string | number;
  attributes?: OtlpKeyValue[];
  events?: Array<{ name: string; attributes?: OtlpKeyValue[] }>;
  status?: { code?: number; message?: string };
}
interface ExportTraceServiceRequest {
  resourceSpans?: Array<{ resource?: { attributes?: OtlpKeyValue[] }; scopeSpans?: Array<{ scope?: { name?: string }; spans?: OtlpSpan[] }> }>;
}

export type AttributeValue = string | number | boolean | AttributeValue[];

/** OTLP span kinds (SPAN_KIND_*). */
export const SpanKinds = { internal: 1, server: 2, client: 3 } as const;
/** OTLP status codes (STATUS_CODE_*). */
export const StatusCodes = { unset: 0, ok: 1, error: 2 } as const;

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, AttributeValue>;
  events: Array<{ name: string; attributes: Record<string, AttributeValue> }>;
  status: { code: number; message?: string };
  resource: Record<string, AttributeValue>;
  scope: string;
}

export interface OtlpReceiver {
  /** The base address, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  readonly url: string;
  readonly spans: ReceivedSpan[];
  /** How many export requests arrived, and their content types. */
  readonly exports: string[];
  /** The children of a span, in start order. */
  childrenOf(span: ReceivedSpan): ReceivedSpan[];
  close(): Promise<void>;
}

function decodeValue(value: OtlpValue): AttributeValue {
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.boolValue !== undefined) return value.boolValue;
  return (value.arrayValue?.values ?? []).map(decodeValue);
}

function decodeAttributes(list: OtlpKeyValue[] | undefined): Record<string, AttributeValue> {
  return Object.fromEntries((list ?? []).map(({ key, value }) => [key, decodeValue(value)]));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const exports: string[] = [];
  const server = createServer((request, response) => {
    void (async () => {
      const contentType = request.headers['content-type'] ?? '';
      if (request.method !== 'POST' || request.url !== '/v1/traces') {
        response.writeHead(404).end();
        return;
      }
      exports.push(contentType);
      if (!contentType.startsWith('application/json')) {
        // This receiver decodes OTLP/JSON only; a protobuf export is answered as a collector would.
        response.writeHead(415, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: `unsupported content type ${contentType}` }));
        return;
      }
      const payload = JSON.parse(await readBody(request)) as ExportTraceServiceRequest;
      for (const resourceSpans of payload.resourceSpans ?? []) {
        const resource = decodeAttributes(resourceSpans.resource?.attributes);
        for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
          for (const span of scopeSpans.spans ?? []) {
            spans.push({
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId ? span.parentSpanId : null,
              name: span.name,
              kind: span.kind,
              startNs: BigInt(span.startTimeUnixNano),
              endNs: BigInt(span.endTimeUnixNano),
              attributes: decodeAttributes(span.attributes),
              events: (span.events ?? []).map((event) => ({ name: event.name, attributes: decodeAttributes(event.attributes) })),
              status: { code: span.status?.code ?? 0, ...(span.status?.message ? { message: span.status.message } : {}) },
              resource,
              scope: scopeSpans.scope?.name ?? '',
            });
          }
        }
      }
      // An ExportTraceServiceResponse with nothing rejected.
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    })().catch((error: unknown) => {
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ code: 3, message: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    exports,
    childrenOf: (parent) => spans.filter((span) => span.parentSpanId === parent.spanId && span.traceId === parent.traceId).sort((a, b) => (a.startNs < b.startNs ? -1 : a.startNs > b.startNs ? 1 : 0)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
