// Search and ask: the two ways to query a collection.
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AskService } from '../answer/ask.service.js';
import { SearchService } from '../retrieval/search.service.js';
import { askRequestSchema, jsonSchemaOf, searchRequestSchema, type AskRequestBody, type SearchRequestBody } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

@ApiTags('query')
@ApiBearerAuth()
@Controller('v1/collections/:collection')
export class QueryController {
  constructor(
    private readonly searchService: SearchService,
    private readonly askService: AskService,
  ) {}

  @Post('search')
  @HttpCode(200)
  @ApiOperation({ summary: 'Ranked passages for a query (BM25), with scores, ranks and a trace' })
  @ApiBody({ schema: jsonSchemaOf(searchRequestSchema) })
  search(@Param('collection') collection: string, @Body(new ZodValidationPipe(searchRequestSchema)) body: SearchRequestBody) {
    return this.searchService.search(collection, body);
  }

  @Post('ask')
  @HttpCode(200)
  @ApiOperation({ summary: 'An answer to a question, citing the passages it comes from' })
  @ApiBody({ schema: jsonSchemaOf(askRequestSchema) })
  ask(@Param('collection') collection: string, @Body(new ZodValidationPipe(askRequestSchema)) body: AskRequestBody) {
    return this.askService.ask(collection, body);
  }
}
