// POST /v1/chat/completions: a `sift/<collection>` model answers the last user message from
// that collection (earlier turns → rewrite → retrieval → rerank → generation or the
// extractive answer), with citations; any other model is plain chat through the gateway's
// configured models. Everything that can be refused is checked in `prepare`, before a
// stream opens or a model is called.
import { Injectable } from '@nestjs/common';
import { AskService } from '../answer/ask.service.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { AppConfig } from '../config/app-config.js';
import { assertConversationLimits } from '../conversation/conversation-limits.js';
import type { ConversationTurn } from '../conversation/conversation-types.js';
import { assertGatewayLimits, ChatService, type PreparedChat } from '../gateway/chat.service.js';
import { GatewayModels, type ModelChoice } from '../gateway/gateway-models.js';
import { checkImage } from '../gateway/vision/image-check.js';
import { ImageFetcher } from '../gateway/vision/image-fetcher.js';
import type { ChatImage, ChatMessage } from '../providers/chat-client.js';
import type { ChatCompletionMessage, ChatCompletionRequestBody } from '../http/openai-schemas.js';
import type { UsageSummary } from '../usage/usage-record.js';
import { COLLECTION_MODEL_PREFIX } from './openai-models.service.js';
import { citationLabel, type SiftCompletionExtension } from './openai-types.js';

/** Passages a `sift/<collection>` answer is written from (ask's default). */
const ANSWER_PASSAGES = 5;

export type PreparedCompletion =
  | { kind: 'collection'; model: string; collection: string; question: string; history: ConversationTurn[]; maxTokens?: number; temperature?: number }
  | { kind: 'chat'; model: string; chat: PreparedChat };

export interface CompletionResult {
  content: string;
  usage: UsageSummary;
  citations?: string[];
  sift?: SiftCompletionExtension;
}

export interface CompletionRunOptions {
  signal?: AbortSignal;
  /** Receives answer text as it arrives; when given, the answer streams. */
  onDelta?: (text: string) => void;
}

function unsupported(param: string, message: string): SiftError {
  return new SiftError(ErrorCode.UnsupportedParameter, message, { param });
}

function textOf(content: ChatCompletionMessage['content']): string {
  if (typeof content === 'string') return content;
  return (content ?? []).flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

function imageUrlsOf(content: ChatCompletionMessage['content']): string[] {
  if (!Array.isArray(content)) return [];
  return content.flatMap((part) => (part.type === 'image_url' ? [typeof part.image_url === 'string' ? part.image_url : part.image_url.url] : []));
}

/** `gemma3:4b`, or `ollama:gemma3:4b` / `gemini/gemini-3.1-flash-lite` naming the provider too. */
function modelChoice(id: string): ModelChoice {
  const match = /^(gemini|ollama)[:/](.+)$/.exec(id);
  return match ? { provider: match[1] as 'gemini' | 'ollama', model: match[2]! } : { model: id };
}

@Injectable()
export class ChatCompletionsService {
  constructor(
    private readonly config: AppConfig,
    private readonly ask: AskService,
    private readonly chat: ChatService,
    private readonly models: GatewayModels,
    private readonly fetcher: ImageFetcher,
  ) {}

  async prepare(body: ChatCompletionRequestBody, signal?: AbortSignal): Promise<PreparedCompletion> {
    if (body.n !== undefined && body.n !== null && body.n !== 1) throw unsupported('n', `n is ${body.n}; Sift answers with one choice (n: 1).`);
    if ((body.tools?.length ?? 0) > 0 || (body.functions?.length ?? 0) > 0) throw unsupported(body.tools?.length ? 'tools' : 'functions', 'Tools and functions are not supported.');
    const toolTurn = body.messages.findIndex((message) => message.role === 'tool' || message.role === 'function');
    if (toolTurn >= 0) throw unsupported('messages', `messages[${toolTurn}] has role "${body.messages[toolTurn]!.role}"; tools are not supported.`);
    const maxTokens = body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const v = this.config.values;
    if (maxTokens !== undefined && maxTokens > v.CHAT_MAX_OUTPUT_TOKENS) {
      throw new SiftError(ErrorCode.MaxTokensTooLarge, `max_tokens is ${maxTokens}; the limit is ${v.CHAT_MAX_OUTPUT_TOKENS} (CHAT_MAX_OUTPUT_TOKENS).`, { param: 'max_tokens' });
    }

    const system = body.messages.filter((message) => message.role === 'system' || message.role === 'developer').map((message) => textOf(message.content));
    const turns = body.messages.filter((message) => message.role === 'user' || message.role === 'assistant');
    const last = turns.at(-1);
    if (!last || last.role !== 'user' || body.messages.at(-1) !== last) {
      throw new SiftError(ErrorCode.ValidationFailed, 'The last message must be the user\'s question (role "user").', { param: 'messages' });
    }
    const question = textOf(last.content);
    if (question.trim().length === 0) throw new SiftError(ErrorCode.ValidationFailed, 'The last user message has no text.', { param: 'messages' });
    const history = turns.slice(0, -1).map((turn): ConversationTurn => ({ role: turn.role as ConversationTurn['role'], content: textOf(turn.content) }));
    assertConversationLimits(history, { maxTurns: v.CONVERSATION_MAX_TURNS, maxChars: v.CONVERSATION_MAX_CHARS }, 'conversation before the last message');
    const temperature = body.temperature ?? undefined;

    if (body.model.startsWith(COLLECTION_MODEL_PREFIX)) {
      if (turns.some((turn) => imageUrlsOf(turn.content).length > 0)) {
        throw unsupported('messages', `${body.model} answers from documents and takes text only; send images to a vision model.`);
      }
      const collection = body.model.slice(COLLECTION_MODEL_PREFIX.length);
      await this.ask.assertAskable(collection, { question, history });
      return { kind: 'collection', model: body.model, collection, question, history, ...(maxTokens !== undefined ? { maxTokens } : {}), ...(temperature !== undefined ? { temperature } : {}) };
    }

    const withImages = turns.some((turn) => turn.role === 'user' && imageUrlsOf(turn.content).length > 0);
    const stage = withImages ? 'vision' : 'chat';
    const systemText = system.join('\n\n');
    assertGatewayLimits(this.config, { length: question.length + systemText.length, what: 'last message with the system messages' }, maxTokens);
    const model = this.models.resolve(stage, modelChoice(body.model));
    const messages: ChatMessage[] = systemText ? [{ role: 'system', content: systemText }] : [];
    for (const turn of turns) {
      const images = turn.role === 'user' ? await Promise.all(imageUrlsOf(turn.content).map((url) => this.image(url, signal))) : [];
      messages.push({ role: turn.role as 'user' | 'assistant', content: textOf(turn.content), ...(images.length > 0 ? { images } : {}) });
    }
    return {
      kind: 'chat',
      model: body.model,
      chat: { client: this.models.client(stage, model), stage, messages, ...(maxTokens !== undefined ? { maxTokens } : {}), ...(temperature !== undefined ? { temperature } : {}) },
    };
  }

  async complete(prepared: PreparedCompletion, options: CompletionRunOptions = {}): Promise<CompletionResult> {
    if (prepared.kind === 'chat') {
      const reply = await this.chat.chat(prepared.chat, { signal: options.signal, ...(options.onDelta ? { onToken: options.onDelta } : {}) });
      return { content: reply.response, usage: reply.usage };
    }
    const onDelta = options.onDelta;
    const answer = await this.ask.ask(
      prepared.collection,
      { question: prepared.question, history: prepared.history, topK: ANSWER_PASSAGES, maxOutputTokens: prepared.maxTokens, temperature: prepared.temperature },
      {
        signal: options.signal,
        ...(onDelta
          ? {
              emit: (event) => {
                if (event.event === 'token') onDelta(event.data.text);
                // Text already sent cannot be taken back: say why another answer follows.
                if (event.event === 'reset') onDelta(`\n\n(The written answer failed: ${event.data.reason}. Quoted from the passages instead:)\n\n`);
              },
            }
          : {}),
      },
    );
    return {
      content: answer.answer,
      usage: answer.usage,
      citations: answer.citations.map(citationLabel),
      sift: {
        collection: prepared.collection,
        query: answer.query,
        rewrite: answer.rewrite,
        mode: answer.mode,
        found: answer.found,
        note: answer.note,
        citations: answer.citations,
        usage: answer.usage,
        trace: answer.trace,
      },
    };
  }

  /** An image part as bytes the model can take: a `data:` URL decoded, any other URL fetched under the vision policy. */
  private async image(url: string, signal?: AbortSignal): Promise<ChatImage> {
    const maxBytes = this.config.values.VISION_MAX_IMAGE_BYTES;
    const data = /^data:[^;,]*;base64,(.*)$/s.exec(url);
    const bytes = data ? new Uint8Array(Buffer.from(data[1]!, 'base64')) : (await this.fetcher.fetch(url, signal)).bytes;
    const image = await checkImage(bytes, { maxBytes, what: data ? 'image in the message' : 'image at the URL' });
    return { mimeType: image.mimeType, base64: Buffer.from(bytes).toString('base64') };
  }
}
