// OpenTelemetry spans for the pipeline's stages and model calls. Everything goes through the
// @opentelemetry/api, which is a no-op until tracing.ts registers a provider: with tracing
// off, a span here costs a function call and a shared non-recording object.
import { SpanKind, SpanStatusCode, context, trace, type Attributes, type AttributeValue, type Span, type Tracer } from '@opentelemetry/api';
import type { ModelStage, StageModel } from '../providers/provider-types.js';

/**
 * Looked up per span, not held: a provider registered later (or again, after a stop) must be
 * the one that answers, and the API's lookup is a map read.
 */
export function siftTracer(): Tracer {
  return trace.getTracer('sift');
}

/** GenAI semantic conventions (incubating, so spelled out here rather than imported). */
export const GenAi = {
  operation: 'gen_ai.operation.name',
  provider: 'gen_ai.provider.name',
  requestModel: 'gen_ai.request.model',
  inputTokens: 'gen_ai.usage.input_tokens',
  outputTokens: 'gen_ai.usage.output_tokens',
} as const;

export type GenAiOperation = 'chat' | 'embeddings';

/** The semantic conventions' provider names; Ollama has none, so it keeps its own. */
function genAiProviderName(provider: StageModel['provider']): string {
  return provider === 'gemini' ? 'gcp.gemini' : provider;
}

/** Runs `work` in a child span of the current one; a throw marks the span as failed. */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  return siftTracer().startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** One call to a model provider, named and attributed per the GenAI conventions. */
export function inModelCallSpan<T>(operation: GenAiOperation, stage: ModelStage, model: StageModel, work: (span: Span) => Promise<T>): Promise<T> {
  const attributes = { [GenAi.operation]: operation, [GenAi.provider]: genAiProviderName(model.provider), [GenAi.requestModel]: model.model, 'sift.stage': stage };
  return inSpan(`${operation} ${model.model}`, attributes, work, SpanKind.CLIENT);
}

/** A span for work timed by the caller (it has already happened); times are `wallClockMs()` readings. */
export function recordSpan(name: string, startedAt: number, endedAt: number, attributes: Attributes): void {
  siftTracer().startSpan(name, { attributes, startTime: startedAt }, context.active()).end(endedAt);
}

export function markFailed(span: Span, error: unknown): void {
  const failure = error instanceof Error ? error : new Error(String(error));
  span.recordException(failure);
  span.setAttribute('error.type', (failure as { code?: unknown }).code === undefined ? failure.name : String((failure as { code?: unknown }).code));
  span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
}

/**
 * Sets attributes on the current span (a model call's usage, a stage's outcome). A function
 * is called only when the span records: with tracing off, every search would otherwise build
 * its stages' attribute names for nothing (~8 µs a query at 400k chunks).
 */
export function annotateActiveSpan(attributes: Attributes | (() => Attributes)): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.setAttributes(typeof attributes === 'function' ? attributes() : attributes);
}

/** A note the per-answer trace gives (a fallback, a skipped stage) as an event on the span. */
export function addSpanNote(message: string): void {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) span.addEvent('sift.note', { message });
}

/** The trace id of the current span, when tracing is on. */
export function activeTraceId(): string | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span.spanContext().traceId : undefined;
}

/** Trace details that hold what a user wrote (a rewritten query): the JSON trace shows them, spans do not. */
const USER_TEXT_FIELDS = new Set(['query']);

/** A stage's trace detail as span attributes: `sift.<stage>.<field>`, primitives only. */
export function stageAttributes(stage: string, detail: Record<string, unknown> | undefined): Attributes {
  const attributes: Attributes = {};
  if (!detail) return attributes;
  const prefix = `sift.${stage.replaceAll('-', '_')}.`;
  for (const [key, value] of Object.entries(detail)) {
    if (USER_TEXT_FIELDS.has(key)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[prefix + snakeCase(key)] = value as AttributeValue;
  }
  return attributes;
}

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}
