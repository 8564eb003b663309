// Search and ask: the two ways to query a collection. `ask` streams server-sent events when
// the body says `stream: true` or the client accepts text/event-stream.
import { Body, Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AskService } from '../answer/ask.service.js';
import { SearchService } from '../retrieval/search.service.js';
import { askRequestSchema, jsonSchemaOf, searchRequestSchema, type AskRequestBody, type SearchRequestBody } from './request-schemas.js';
import { Needs } from './route-needs.js';
import { streamEvents } from './server-sent-events.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { Answers, JSON_BODY_FAILURES, STORE_FAILURES } from './api-contract.js';
import * as responses from './response-schemas.js';
import { ErrorCode } from '../common/errors.js';

@ApiTags('query')
@ApiBearerAuth()
@Controller('v1/collections/:collection')
@Needs('read', { collection: 'collection' })
export class QueryController {
  constructor(
    private readonly searchService: SearchService,
    private readonly askService: AskService,
  ) {}

  @Post('search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ranked passages for a query (BM25, or hybrid BM25 + dense with embeddings), with scores, ranks, usage and a trace' })
  @ApiBody({ schema: jsonSchemaOf(searchRequestSchema) })
  @Answers(
    { 200: { description: 'Ranked passages', schema: responses.searchResponseSchema } },
    { fails: [...JSON_BODY_FAILURES, ...STORE_FAILURES, ErrorCode.QueryTooLong, ErrorCode.InvalidCollectionName, ErrorCode.CollectionNotFound, ErrorCode.EmbeddingMismatch] },
  )
  search(@Param('collection') collection: string, @Body(new ZodValidationPipe(searchRequestSchema)) body: SearchRequestBody) {
    return this.searchService.search(collection, body);
  }

  @Post('ask')
  @HttpCode(200)
  @ApiOperation({ summary: 'An answer to a question, citing the passages it comes from; `history` carries earlier turns (a follow-up is rewritten into a standalone query); `stream: true` gives server-sent events (sources, token…, done)' })
  @ApiProduces('application/json', 'text/event-stream')
  @ApiBody({ schema: jsonSchemaOf(askRequestSchema) })
  @Answers(
    { 200: { description: 'The answer, its citations, usage and trace; or server-sent events (sources, token…, reset, done) when streamed', schema: responses.askResponseSchema, alsoAs: ['text/event-stream'] } },
    { fails: [...JSON_BODY_FAILURES, ...STORE_FAILURES, ErrorCode.QueryTooLong, ErrorCode.InvalidCollectionName, ErrorCode.CollectionNotFound, ErrorCode.EmbeddingMismatch, ErrorCode.ConversationTooLong] },
  )
  async ask(
    @Param('collection') collection: string,
    @Body(new ZodValidationPipe(askRequestSchema)) body: AskRequestBody,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ) {
    const { stream, ...question } = body;
    const wantsStream = stream || (request.headers.accept ?? '').includes('text/event-stream');
    if (!wantsStream) return this.askService.ask(collection, question);

    // Checks that can fail with a plain JSON error run before the stream opens.
    await this.askService.assertAskable(collection, question);
    await streamEvents(request, response, async (events) => {
      await this.askService.ask(collection, question, { signal: events.signal, emit: (event) => events.send(event.event, event.data) });
    });
    return undefined;
  }
}
