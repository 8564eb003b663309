// One metered chat-model call, for answer generation and the gateway endpoints: a time
// budget, Sift's retries for a whole answer (a stream gets one attempt: text already sent
// cannot be taken back), and a usage record whatever happens. Token counts the provider does
// not report are estimated.
import { Logger } from '@nestjs/common';
import { inModelCallSpan } from '../observability/spans.js';
import { estimateTokens } from '../ingestion/chunking/token-estimate.js';
import type { ChatCallOptions, ChatClient, ChatMessage, ChatReply } from './chat-client.js';
import { classifyProviderError, providerError } from './provider-failure.js';
import type { ModelStage, TokenUsage } from './provider-types.js';
import { withRetries } from './retry.js';
import type { UsageMeter } from '../usage/usage-meter.js';

const logger = new Logger('ModelCall');

export interface ModelCallOptions extends Omit<ChatCallOptions, 'signal'> {
  stage: ModelStage;
  meter: UsageMeter;
  timeoutMs: number;
  maxRetries: number;
  /** The caller's own cancellation (a client that went away, a job that was stopped). */
  signal?: AbortSignal;
  /** Receives text as it arrives; when given, the call streams. */
  onToken?: (text: string) => void;
}

function estimatedUsage(messages: ChatMessage[], text: string): TokenUsage {
  return { inputTokens: estimateTokens(messages.map((message) => message.content).join('\n')), outputTokens: estimateTokens(text) };
}

export function callModel(client: ChatClient, messages: ChatMessage[], options: ModelCallOptions): Promise<ChatReply> {
  return inModelCallSpan('chat', options.stage, client.model, () => meteredCall(client, messages, options));
}

async function meteredCall(client: ChatClient, messages: ChatMessage[], options: ModelCallOptions): Promise<ChatReply> {
  const { stage, meter, timeoutMs, maxRetries, signal: callerSignal, onToken, ...callOptions } = options;
  await meter.assertWithinBudget(`the ${stage} call`);
  const budget = AbortSignal.timeout(timeoutMs);
  const signal = callerSignal ? AbortSignal.any([callerSignal, budget]) : budget;
  const started = performance.now();
  try {
    const reply = onToken
      ? await streamOnce(client, messages, { ...callOptions, signal }, onToken)
      : await withRetries(client.model, () => client.invoke(messages, { ...callOptions, signal }), {
          maxRetries,
          signal,
          onRetry: (failure, attempt, delayMs) => logger.warn(`${stage} call to ${client.model.model}, attempt ${attempt} failed (${failure.kind}); retrying in ${Math.round(delayMs)} ms`),
        });
    meter.record({ stage, model: client.model, usage: reply.usage ?? estimatedUsage(messages, reply.text), latencyMs: performance.now() - started, outcome: 'ok', estimated: reply.usage === null });
    return reply;
  } catch (error) {
    meter.record({ stage, model: client.model, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: performance.now() - started, outcome: 'failed', estimated: true });
    throw error;
  }
}

/** Streams one attempt; a stream cut off midway is a failure, not a shorter answer. */
async function streamOnce(client: ChatClient, messages: ChatMessage[], options: ChatCallOptions & { signal: AbortSignal }, onToken: (text: string) => void): Promise<ChatReply> {
  let text = '';
  let usage: TokenUsage | null = null;
  try {
    for await (const event of client.stream(messages, options)) {
      if (options.signal.aborted) throw options.signal.reason;
      if (event.type === 'text') {
        text += event.text;
        onToken(event.text);
      } else {
        usage = event.usage;
      }
    }
    if (options.signal.aborted) throw options.signal.reason;
  } catch (error) {
    throw providerError(classifyProviderError(error, options.signal), client.model, 1);
  }
  return { text, usage };
}
