// Writes an answer from retrieved passages with the configured chat model, streaming tokens
// when asked. The whole answer has one time budget; a client that goes away aborts the
// model call. Failures throw SiftErrors so the caller can fall back to the extractive answer.
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { ChatClient, ChatMessage } from '../providers/chat-client.js';
import { GENERATION_CHAT_CLIENT } from '../providers/model-clients.js';
import { estimateTokens } from '../ingestion/chunking/token-estimate.js';
import { classifyProviderError, providerError } from '../providers/provider-failure.js';
import { withRetries } from '../providers/retry.js';
import type { StageModel, TokenUsage } from '../providers/provider-types.js';
import type { RankedChunk } from '../retrieval/search-types.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { buildAnswerMessages, isAbstention } from './answer-prompt.js';
import { checkCitations, type CheckedAnswer } from './citations.js';

export interface GeneratedAnswer extends CheckedAnswer {
  found: boolean;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  /** Receives answer text as it arrives; when given, the model call streams. */
  onToken?: (text: string) => void;
}

@Injectable()
export class GenerationService {
  private readonly logger = new Logger('Generation');

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(GENERATION_CHAT_CLIENT) private readonly client: ChatClient | null,
  ) {}

  get model(): StageModel | null {
    return this.client?.model ?? null;
  }

  async generate(question: string, passages: RankedChunk[], meter: UsageMeter, options: GenerateOptions = {}): Promise<GeneratedAnswer> {
    const client = this.client;
    if (!client) throw new Error('GenerationService used without a generation provider; check `model` first');
    const messages = buildAnswerMessages(question, passages);
    const budget = AbortSignal.timeout(this.config.values.GENERATION_TIMEOUT_MS);
    const signal = options.signal ? AbortSignal.any([options.signal, budget]) : budget;
    const started = performance.now();
    try {
      const reply = options.onToken
        ? await this.streamOnce(client, messages, signal, options.onToken)
        : await withRetries(client.model, () => client.invoke(messages, { signal }), {
            maxRetries: this.config.values.MODEL_MAX_RETRIES,
            signal,
            onRetry: (failure, attempt, delayMs) => this.logger.warn(`Generation attempt ${attempt} failed (${failure.kind}); retrying in ${Math.round(delayMs)} ms`),
          });
      const usage = reply.usage ?? { inputTokens: estimateTokens(messages.map((m) => m.content).join('\n')), outputTokens: estimateTokens(reply.text) };
      meter.record({ stage: 'generate', model: client.model, usage, latencyMs: performance.now() - started, outcome: 'ok', estimated: reply.usage === null });
      if (isAbstention(reply.text)) return { found: false, text: '', citations: [], droppedNumbers: [] };
      return { found: true, ...checkCitations(reply.text, passages) };
    } catch (error) {
      meter.record({ stage: 'generate', model: client.model, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: performance.now() - started, outcome: 'failed', estimated: true });
      throw error;
    }
  }

  /** Streams one attempt; a stream cut off midway is a failure, not a shorter answer. */
  private async streamOnce(client: ChatClient, messages: ChatMessage[], signal: AbortSignal, onToken: (text: string) => void) {
    let text = '';
    let usage: TokenUsage | null = null;
    try {
      for await (const event of client.stream(messages, { signal })) {
        if (signal.aborted) throw signal.reason;
        if (event.type === 'text') {
          text += event.text;
          onToken(event.text);
        } else {
          usage = event.usage;
        }
      }
      if (signal.aborted) throw signal.reason;
    } catch (error) {
      throw providerError(classifyProviderError(error, signal), client.model, 1);
    }
    return { text, usage };
  }
}
