// The OpenAI-compatible surface: GET /v1/models and POST /v1/chat/completions, for the tools
// that speak it (Open WebUI, LibreChat, LangChain, LlamaIndex, LiteLLM, every OpenAI SDK).
// The API key works as `Authorization: Bearer`, as those clients send it; errors use
// OpenAI's body, {error: {message, type, param, code}}.
import { Body, Controller, Get, HttpCode, Logger, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { randomUUID } from 'node:crypto';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { httpStatusFor } from '../common/http-status-for.js';
import { ChatCompletionsService, type CompletionResult } from '../openai/chat-completions.service.js';
import { OpenAiModelsService } from '../openai/openai-models.service.js';
import { toOpenAiUsage, type ChatCompletion, type ChatCompletionChunk } from '../openai/openai-types.js';
import type { Caller } from '../auth/caller.js';
import { ErrorEnvelope, errorBody } from './error-envelope.js';
import { RequestCaller } from './request-caller.js';
import { Needs } from './route-needs.js';
import { chatCompletionRequestSchema, type ChatCompletionRequestBody } from './openai-schemas.js';
import { jsonSchemaOf } from './request-schemas.js';
import { clientGone, openEventStream } from './server-sent-events.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { Answers, JSON_BODY_FAILURES, PROVIDER_FAILURES, STORE_FAILURES } from './api-contract.js';
import { openObjectSchema } from './response-schemas.js';

const logger = new Logger('HTTP');

function extensions(result: CompletionResult) {
  return { ...(result.citations ? { citations: result.citations } : {}), ...(result.sift ? { sift: result.sift } : {}) };
}

@ApiTags('standard APIs')
@ApiBearerAuth()
@ErrorEnvelope('openai')
@Controller('v1')
// sift/<collection> models are checked against the key's scope where the collection is searched (SearchService).
@Needs('read')
export class OpenAiController {
  constructor(
    private readonly modelsService: OpenAiModelsService,
    private readonly completions: ChatCompletionsService,
  ) {}

  @Get('models')
  @ApiOperation({ summary: 'OpenAI model list: sift/<collection> per collection in the key\'s scope, the configured chat models, the rerank models' })
  @Answers({ 200: { description: 'OpenAI model list', schema: openObjectSchema } }, { envelope: 'openai', fails: STORE_FAILURES })
  models(@RequestCaller() caller: Caller) {
    return this.modelsService.list((collection) => caller.scope.allows(collection));
  }

  @Post('chat/completions')
  @HttpCode(200)
  @ApiOperation({ summary: 'OpenAI chat completions; model sift/<collection> answers from the collection with citations, other models are plain chat; `stream: true` gives chat.completion.chunk events' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBody({ schema: jsonSchemaOf(chatCompletionRequestSchema) })
  @Answers(
    { 200: { description: 'A chat.completion, or chat.completion.chunk events when streamed', schema: openObjectSchema, alsoAs: ['text/event-stream'] } },
    { envelope: 'openai', fails: [...JSON_BODY_FAILURES, ...STORE_FAILURES, ...PROVIDER_FAILURES, ErrorCode.MaxTokensTooLarge, ErrorCode.MessageTooLong, ErrorCode.ModelNotAllowed, ErrorCode.ProviderNotConfigured, ErrorCode.UnsupportedParameter, ErrorCode.ConversationTooLong, ErrorCode.CollectionNotFound, ErrorCode.QueryTooLong, ErrorCode.EmbeddingMismatch] },
  )
  async create(@Body(new ZodValidationPipe(chatCompletionRequestSchema)) body: ChatCompletionRequestBody, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    const gone = clientGone(response);
    const prepared = await this.completions.prepare(body, gone);
    const id = `chatcmpl-${randomUUID().replaceAll('-', '')}`;
    const created = Math.floor(Date.now() / 1000);
    if (!body.stream) {
      const result = await this.completions.complete(prepared, { signal: gone });
      const completion: ChatCompletion = {
        id,
        object: 'chat.completion',
        created,
        model: prepared.model,
        choices: [{ index: 0, message: { role: 'assistant', content: result.content, refusal: null }, logprobs: null, finish_reason: 'stop' }],
        usage: toOpenAiUsage(result.usage),
        system_fingerprint: null,
        ...extensions(result),
      };
      return completion;
    }

    // Role first, then content deltas, then finish_reason (with Sift's extensions), a usage
    // chunk when asked, and `data: [DONE]`.
    const events = openEventStream(request, response);
    const chunk = (choice: ChatCompletionChunk['choices'][number] | null, extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: prepared.model,
      choices: choice ? [choice] : [],
      system_fingerprint: null,
      ...extra,
    });
    try {
      events.data(chunk({ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }));
      const result = await this.completions.complete(prepared, {
        signal: events.signal,
        onDelta: (text) => events.data(chunk({ index: 0, delta: { content: text }, logprobs: null, finish_reason: null })),
      });
      events.data(chunk({ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }, extensions(result)));
      if (body.stream_options?.include_usage) events.data(chunk(null, { usage: toOpenAiUsage(result.usage) }));
      events.data('[DONE]');
    } catch (error) {
      // The status is sent; OpenAI's streams report a late failure as an error event.
      if (!isSiftError(error)) logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      const sift = isSiftError(error) ? error : new SiftError(ErrorCode.Internal, 'Internal error; the server log has the details.');
      events.data(errorBody('openai', sift, httpStatusFor(sift.code)));
    } finally {
      events.end();
    }
    return undefined;
  }
}
