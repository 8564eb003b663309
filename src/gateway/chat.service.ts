// POST /v1/chat: one message (and an optional system prompt) to a configured chat model,
// answered whole or streamed, with the call's usage. Limits are checked before any model
// call so a streaming client gets a plain JSON 400, not an event stream.
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import type { ChatClient, ChatMessage } from '../providers/chat-client.js';
import type { ProviderName, StageModel } from '../providers/provider-types.js';
import type { UsageSummary } from '../usage/usage-record.js';
import { UsageMeters } from '../usage/usage-meters.js';
import { GatewayModels } from './gateway-models.js';
import { callModel } from '../providers/model-call.js';

export interface ChatRequest {
  message: string;
  systemPrompt?: string;
  maxTokens?: number;
  temperature?: number;
  provider?: ProviderName;
  model?: string;
}

export interface ChatResponse {
  response: string;
  model: StageModel;
  usage: UsageSummary;
}

/** A request that passed its limits, with the client that will answer it. */
export interface PreparedChat {
  client: ChatClient;
  /** The ledger's stage: `vision` when the conversation carries images. */
  stage?: 'chat' | 'vision';
  messages: ChatMessage[];
  maxTokens?: number;
  temperature?: number;
}

export interface ChatRunOptions {
  signal?: AbortSignal;
  /** Receives answer text as it arrives; when given, the model call streams. */
  onToken?: (text: string) => void;
}

/** Checks the configurable limits shared by chat and vision: prompt length and max_tokens. */
export function assertGatewayLimits(config: AppConfig, text: { length: number; what: string }, maxTokens: number | undefined): void {
  const v = config.values;
  if (text.length > v.CHAT_MAX_MESSAGE_CHARS) {
    throw new SiftError(ErrorCode.MessageTooLong, `The ${text.what} has ${text.length} characters; the limit is ${v.CHAT_MAX_MESSAGE_CHARS} (CHAT_MAX_MESSAGE_CHARS).`);
  }
  if (maxTokens !== undefined && maxTokens > v.CHAT_MAX_OUTPUT_TOKENS) {
    throw new SiftError(ErrorCode.MaxTokensTooLarge, `max_tokens is ${maxTokens}; the limit is ${v.CHAT_MAX_OUTPUT_TOKENS} (CHAT_MAX_OUTPUT_TOKENS).`);
  }
}

@Injectable()
export class ChatService {
  constructor(
    private readonly config: AppConfig,
    private readonly models: GatewayModels,
    private readonly meters: UsageMeters,
  ) {}

  prepare(request: ChatRequest): PreparedChat {
    const length = request.message.length + (request.systemPrompt?.length ?? 0);
    assertGatewayLimits(this.config, { length, what: request.systemPrompt ? 'message with its system prompt' : 'message' }, request.maxTokens);
    const model = this.models.resolve('chat', { provider: request.provider, model: request.model });
    const messages: ChatMessage[] = [...(request.systemPrompt ? [{ role: 'system' as const, content: request.systemPrompt }] : []), { role: 'user', content: request.message }];
    return { client: this.models.client('chat', model), messages, maxTokens: request.maxTokens, temperature: request.temperature };
  }

  async chat(prepared: PreparedChat, options: ChatRunOptions = {}): Promise<ChatResponse> {
    const meter = this.meters.start();
    const v = this.config.values;
    const reply = await callModel(prepared.client, prepared.messages, {
      stage: prepared.stage ?? 'chat',
      meter,
      timeoutMs: v.GATEWAY_TIMEOUT_MS,
      maxRetries: v.MODEL_MAX_RETRIES,
      signal: options.signal,
      onToken: options.onToken,
      ...(prepared.maxTokens !== undefined ? { maxOutputTokens: prepared.maxTokens } : {}),
      ...(prepared.temperature !== undefined ? { temperature: prepared.temperature } : {}),
    });
    return { response: reply.text, model: prepared.client.model, usage: meter.summary() };
  }
}
