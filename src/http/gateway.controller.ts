// The model gateway: chat (whole or streamed), vision (an uploaded image or one by URL),
// batch classification and cost estimates, all through the configured providers and the
// one usage ledger. Thin: validate, call the service, shape the answer.
import { Body, Controller, HttpCode, Post, Req, Res, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { memoryStorage } from 'multer';
import { ErrorCode, SiftError } from '../common/errors.js';
import { ChatService } from '../gateway/chat.service.js';
import { ClassifyJobs } from '../gateway/classify/classify-jobs.js';
import { ClassifyService } from '../gateway/classify/classify.service.js';
import { EstimateService } from '../gateway/estimate.service.js';
import { VisionService } from '../gateway/vision/vision.service.js';
import {
  chatRequestSchema,
  classifyRequestSchema,
  estimateRequestSchema,
  jsonSchemaOf,
  visionRequestSchema,
  type ChatRequestBody,
  type ClassifyRequestBody,
  type EstimateRequestBody,
} from './request-schemas.js';
import { Needs } from './route-needs.js';
import { clientGone, streamEvents } from './server-sent-events.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { Answers, JSON_BODY_FAILURES, PROVIDER_FAILURES } from './api-contract.js';
import { jobEnvelopeSchema, openObjectSchema } from './response-schemas.js';

@ApiTags('gateway')
@ApiBearerAuth()
@Controller('v1')
export class GatewayController {
  constructor(
    private readonly chatService: ChatService,
    private readonly visionService: VisionService,
    private readonly classifyService: ClassifyService,
    private readonly classifyJobs: ClassifyJobs,
    private readonly estimateService: EstimateService,
  ) {}

  @Post('chat')
  @Needs('read', { modelCalls: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'One message to a configured chat model → {response, model, usage}; `stream: true` gives server-sent events (token…, done)' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBody({ schema: jsonSchemaOf(chatRequestSchema) })
  @Answers({ 200: { description: '{response, model, usage}, or server-sent events (token…, done) when streamed', schema: openObjectSchema, alsoAs: ['text/event-stream'] } }, { fails: [...JSON_BODY_FAILURES, ...PROVIDER_FAILURES, ErrorCode.MessageTooLong, ErrorCode.MaxTokensTooLarge, ErrorCode.ModelNotAllowed, ErrorCode.ProviderNotConfigured] })
  async chat(@Body(new ZodValidationPipe(chatRequestSchema)) body: ChatRequestBody, @Req() request: Request, @Res({ passthrough: true }) response: Response) {
    // Limits and the model choice are checked before a stream opens, so they fail as plain JSON.
    const prepared = this.chatService.prepare({
      message: body.message,
      systemPrompt: body.system_prompt,
      maxTokens: body.max_tokens,
      temperature: body.temperature,
      provider: body.provider,
      model: body.model,
    });
    const wantsStream = body.stream || (request.headers.accept ?? '').includes('text/event-stream');
    if (!wantsStream) return this.chatService.chat(prepared, { signal: clientGone(response) });

    await streamEvents(request, response, async (events) => {
      const result = await this.chatService.chat(prepared, { signal: events.signal, onToken: (text) => events.send('token', { text }) });
      events.send('done', result);
    });
    return undefined;
  }

  @Post('vision')
  @Needs('read', { modelCalls: true })
  @HttpCode(200)
  // In memory, not the upload spool on disk: one image, under the upload size limit.
  @UseInterceptors(FileInterceptor('image', { storage: memoryStorage() }))
  @ApiOperation({ summary: 'A prompt about one image (multipart `image`, or `image_url` fetched with limits and an address policy) → {response, model, image, usage}' })
  @ApiConsumes('multipart/form-data', 'application/json')
  @ApiBody({ schema: jsonSchemaOf(visionRequestSchema) })
  @Answers(
    { 200: { description: '{response, model, image, usage}', schema: openObjectSchema } },
    { fails: [...JSON_BODY_FAILURES, ...PROVIDER_FAILURES, ErrorCode.MessageTooLong, ErrorCode.MaxTokensTooLarge, ErrorCode.ModelNotAllowed, ErrorCode.ProviderNotConfigured, ErrorCode.FileTooLarge, ErrorCode.UnsupportedType, ErrorCode.ContentMismatch, ErrorCode.CorruptFile, ErrorCode.ImageUrlRefused, ErrorCode.ImageFetchFailed] },
  )
  async vision(@UploadedFile() file: Express.Multer.File | undefined, @Body() raw: unknown, @Res({ passthrough: true }) response: Response) {
    const body = new ZodValidationPipe(visionRequestSchema).transform(raw);
    if (file && body.image_url) throw new SiftError(ErrorCode.ValidationFailed, 'Send one image: either the multipart field "image" or "image_url", not both.');
    if (!file && !body.image_url) throw new SiftError(ErrorCode.ValidationFailed, 'No image: upload it as multipart/form-data in the field "image", or give "image_url".');
    const image = file
      ? { kind: 'upload' as const, bytes: new Uint8Array(file.buffer.buffer, file.buffer.byteOffset, file.buffer.byteLength), fileName: file.originalname }
      : { kind: 'url' as const, url: body.image_url! };
    return this.visionService.describe(
      { image, prompt: body.prompt, maxTokens: body.max_tokens, temperature: body.temperature, provider: body.provider, model: body.model },
      clientGone(response),
    );
  }

  @Post('classify')
  @Needs('read', { modelCalls: true })
  @HttpCode(200)
  @ApiOperation({ summary: 'One label per text, in input order, from batched parallel model calls; large requests answer 202 with a background job' })
  @ApiBody({ schema: jsonSchemaOf(classifyRequestSchema) })
  @Answers(
    {
      200: { description: '{results, counts, summary, failures, usage}', schema: openObjectSchema },
      202: { description: 'A background job took the texts; poll GET /v1/jobs/{id}', schema: jobEnvelopeSchema, headers: { Location: { description: '/v1/jobs/{id}' } } },
    },
    { fails: [...JSON_BODY_FAILURES, ...PROVIDER_FAILURES, ErrorCode.TooManyTexts, ErrorCode.TextTooLong, ErrorCode.ModelNotAllowed, ErrorCode.ProviderNotConfigured, ErrorCode.RedisUnavailable] },
  )
  async classify(@Body(new ZodValidationPipe(classifyRequestSchema)) body: ClassifyRequestBody, @Res({ passthrough: true }) response: Response) {
    const task = this.classifyService.prepare({
      texts: body.texts,
      labels: body.labels,
      instructions: body.instructions,
      batchSize: body.batch_size,
      provider: body.provider,
      model: body.model,
    });
    if (this.classifyService.isLarge(body.texts.length)) {
      const job = await this.classifyJobs.start(task, body.texts);
      response.status(202).location(`/v1/jobs/${job.id}`);
      return { job };
    }
    return this.classifyService.classify(task, body.texts, { signal: clientGone(response) });
  }

  @Post('estimate')
  @Needs('read')
  @HttpCode(200)
  @ApiOperation({ summary: 'Tokens and cost per request and per month for a model, from token counts or sample texts, compared across the configured models' })
  @ApiBody({ schema: jsonSchemaOf(estimateRequestSchema) })
  @Answers({ 200: { description: 'Tokens and cost per request and per month, and the comparison with every configured model', schema: openObjectSchema } }, { fails: [...JSON_BODY_FAILURES, ErrorCode.ModelNotAllowed, ErrorCode.ProviderNotConfigured] })
  estimate(@Body(new ZodValidationPipe(estimateRequestSchema)) body: EstimateRequestBody) {
    return this.estimateService.estimate({
      provider: body.provider,
      model: body.model,
      inputTokens: body.input_tokens,
      outputTokens: body.output_tokens,
      texts: body.texts,
      requestsPerMonth: body.requests_per_month,
    });
  }
}
