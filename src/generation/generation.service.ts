// Writes an answer from retrieved passages with the configured chat model, streaming tokens
// when asked. The whole answer has one time budget; a client that goes away aborts the
// model call. Failures throw SiftErrors so the caller can fall back to the extractive answer.
import { Inject, Injectable, Optional } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { ConversationTurn } from '../conversation/conversation-types.js';
import type { ChatClient } from '../providers/chat-client.js';
import { callModel } from '../providers/model-call.js';
import { GENERATION_CHAT_CLIENT } from '../providers/model-clients.js';
import type { StageModel } from '../providers/provider-types.js';
import type { RankedChunk } from '../retrieval/search-types.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { buildAnswerMessages, isAbstention } from './answer-prompt.js';
import { checkCitations, type CheckedAnswer } from './citations.js';

export interface GeneratedAnswer extends CheckedAnswer {
  found: boolean;
}

export interface GenerateOptions {
  signal?: AbortSignal;
  /** Earlier turns of the conversation, which the model sees before the passages. */
  history?: readonly ConversationTurn[];
  maxOutputTokens?: number;
  temperature?: number;
  /** Receives answer text as it arrives; when given, the model call streams. */
  onToken?: (text: string) => void;
}

@Injectable()
export class GenerationService {
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
    const reply = await callModel(client, buildAnswerMessages(question, passages, options.history), {
      stage: 'generate',
      meter,
      timeoutMs: this.config.values.GENERATION_TIMEOUT_MS,
      maxRetries: this.config.values.MODEL_MAX_RETRIES,
      signal: options.signal,
      onToken: options.onToken,
      ...(options.maxOutputTokens !== undefined ? { maxOutputTokens: options.maxOutputTokens } : {}),
      ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
    });
    if (isAbstention(reply.text)) return { found: false, text: '', citations: [], droppedNumbers: [] };
    return { found: true, ...checkCitations(reply.text, passages) };
  }
}
