// POST /v1/rerank and /v2/rerank: the rerank layer in the Cohere/Jina shape, for tools that
// already speak it (Open WebUI's external reranker, LangChain's and LlamaIndex's Cohere
// rerankers, LiteLLM, Dify). Errors use Cohere's body, {id, message}.
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RerankApiService } from '../reranking/rerank-api.service.js';
import { ErrorEnvelope } from './error-envelope.js';
import { Needs } from './route-needs.js';
import { jsonSchemaOf, rerankApiRequestSchema, type RerankApiRequestBody } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { ErrorCode } from '../common/errors.js';
import { Answers, JSON_BODY_FAILURES, PROVIDER_FAILURES } from './api-contract.js';
import { openObjectSchema } from './response-schemas.js';

const pipe = new ZodValidationPipe(rerankApiRequestSchema);

function toRequest(body: RerankApiRequestBody, apiVersion: '1' | '2') {
  return {
    query: body.query,
    documents: body.documents.map((document) => (typeof document === 'string' ? document : document.text)),
    topN: body.top_n,
    // Cohere v1 and Jina return the documents unless told not to; Cohere v2 only when asked.
    returnDocuments: body.return_documents ?? apiVersion === '1',
    model: body.model,
    maxTokensPerDoc: body.max_tokens_per_doc,
    apiVersion,
  };
}

@ApiTags('standard APIs')
@ApiBearerAuth()
@ErrorEnvelope('cohere')
@Controller()
// The caller's own documents, no collection; a key over its model budget may still ask for BM25.
@Needs('read')
export class RerankApiController {
  constructor(private readonly rerankApi: RerankApiService) {}

  @Post('v1/rerank')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cohere v1 / Jina rerank: {query, documents, top_n?, return_documents?, model?} → {id, results:[{index, relevance_score, document?}], meta, usage}' })
  @ApiBody({ schema: jsonSchemaOf(rerankApiRequestSchema) })
  @Answers({ 200: { description: '{id, results: [{index, relevance_score, document?}], meta, usage}', schema: openObjectSchema } }, { envelope: 'cohere', fails: [...JSON_BODY_FAILURES, ...PROVIDER_FAILURES, ErrorCode.TooManyDocuments, ErrorCode.DocumentTooLong, ErrorCode.ModelNotAllowed, ErrorCode.UnsupportedParameter] })
  v1(@Body(pipe) body: RerankApiRequestBody) {
    return this.rerankApi.rerank(toRequest(body, '1'));
  }

  @Post('v2/rerank')
  @HttpCode(200)
  @ApiOperation({ summary: 'Cohere v2 rerank (the path of Cohere\'s v2 client); the same answer as /v1/rerank, documents only with return_documents: true' })
  @ApiBody({ schema: jsonSchemaOf(rerankApiRequestSchema) })
  @Answers({ 200: { description: '{id, results: [{index, relevance_score, document?}], meta, usage}', schema: openObjectSchema } }, { envelope: 'cohere', fails: [...JSON_BODY_FAILURES, ...PROVIDER_FAILURES, ErrorCode.TooManyDocuments, ErrorCode.DocumentTooLong, ErrorCode.ModelNotAllowed, ErrorCode.UnsupportedParameter] })
  v2(@Body(pipe) body: RerankApiRequestBody) {
    return this.rerankApi.rerank(toRequest(body, '2'));
  }
}
