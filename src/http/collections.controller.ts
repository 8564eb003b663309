// Collections and their documents: upload, list, read, delete. Thin: validate, call the
// service or store, shape the answer.
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  Res,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { FilesInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { assertCollectionName, collectionNotFound } from '../common/collection-name.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { httpStatusFor } from '../common/http-status-for.js';
import { summarize, type FileOutcome } from '../ingestion/batch-ingest.js';
import { UploadIngestionService } from '../ingestion/upload-ingestion.service.js';
import { VECTOR_STORE, type DocumentMetadata, type VectorStore } from '../store/vector-store.js';
import type { Caller } from '../auth/caller.js';
import { RequestCaller } from './request-caller.js';
import { Needs } from './route-needs.js';
import { documentMetadataSchema, listDocumentsQuerySchema, type ListDocumentsQuery } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';
import { Answers, PROVIDER_FAILURES, QueryParameters, STORE_FAILURES } from './api-contract.js';
import * as responses from './response-schemas.js';

function parseMetadataField(raw: unknown): DocumentMetadata {
  if (raw === undefined || raw === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(String(raw));
  } catch {
    throw new SiftError(ErrorCode.MalformedJson, 'The "metadata" field must be a JSON object, e.g. {"team":"docs"}.');
  }
  return new ZodValidationPipe(documentMetadataSchema, 'metadata').transform(value);
}

/** 200 when every file landed, 207 when some did, the failure's own status when none did. */
function uploadStatus(outcomes: FileOutcome[]): { status: number; error?: { code: ErrorCode; message: string } } {
  const failures = outcomes.flatMap((outcome) => (outcome.status === 'failed' ? [outcome.error] : []));
  if (failures.length === 0) return { status: 200 };
  if (failures.length < outcomes.length) return { status: 207 };
  const codes = new Set(failures.map((failure) => failure.code));
  if (codes.size === 1) {
    const [first] = failures;
    const message = failures.length === 1 ? first!.message : `No file was stored: ${failures.map((f) => f.message).join('; ')}`;
    return { status: httpStatusFor(first!.code), error: { code: first!.code, message } };
  }
  return {
    status: httpStatusFor(ErrorCode.AllFilesFailed),
    error: { code: ErrorCode.AllFilesFailed, message: `No file was stored: ${failures.map((f) => f.message).join('; ')}` },
  };
}

@ApiTags('collections')
@ApiBearerAuth()
@Controller('v1/collections')
export class CollectionsController {
  constructor(
    private readonly uploads: UploadIngestionService,
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
  ) {}

  @Get()
  @Needs('read')
  @ApiOperation({ summary: 'List collections with document and chunk counts (those in the key\'s scope)' })
  @Answers({ 200: { description: 'Every collection', schema: responses.collectionsListSchema } }, { fails: STORE_FAILURES })
  async listCollections(@RequestCaller() caller: Caller) {
    const collections = await this.store.listCollections();
    return { collections: collections.filter((collection) => caller.scope.allows(collection.name)) };
  }

  @Delete(':collection')
  @Needs('write', { collection: 'collection' })
  @ApiOperation({ summary: 'Delete a collection and every document in it' })
  @Answers({ 200: { description: 'Deleted', schema: responses.collectionDeletedSchema } }, { fails: [...STORE_FAILURES, ErrorCode.InvalidCollectionName, ErrorCode.CollectionNotFound] })
  async deleteCollection(@Param('collection') collection: string) {
    assertCollectionName(collection);
    if (!(await this.store.deleteCollection(collection))) throw collectionNotFound(collection);
    return { collection, deleted: true };
  }

  @Post(':collection/documents')
  @Needs('write', { collection: 'collection' })
  @HttpCode(200)
  @UseInterceptors(FilesInterceptor('files'))
  @ApiOperation({
    summary: 'Upload documents (.txt, .md, .html, .pdf, .docx); each file is created, updated, unchanged or failed',
    description: 'More files than JOB_THRESHOLD_FILES, or more bytes than JOB_THRESHOLD_BYTES, answer 202 with a job to poll at GET /v1/jobs/{id}.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['files'],
      properties: {
        files: { type: 'array', items: { type: 'string', format: 'binary' } },
        metadata: { type: 'string', description: 'JSON object stored with every uploaded document, e.g. {"team":"docs"}' },
      },
    },
  })
  @Answers(
    {
      200: { description: 'Every file stored (or unchanged)', schema: responses.uploadResultSchema },
      202: { description: 'A background job took the upload; poll GET /v1/jobs/{id}', schema: responses.jobEnvelopeSchema, headers: { Location: { description: '/v1/jobs/{id}' } } },
      207: { description: 'Some files stored, some failed: each says which and why', schema: responses.uploadResultSchema },
    },
    {
      fails: [
        ...STORE_FAILURES,
        ...PROVIDER_FAILURES,
        ErrorCode.ValidationFailed,
        ErrorCode.MalformedJson,
        ErrorCode.BodyTooLarge,
        ErrorCode.InvalidCollectionName,
        // A key whose scope leaves the collection out is told it does not exist.
        ErrorCode.CollectionNotFound,
        ErrorCode.InvalidSourceName,
        ErrorCode.DuplicateFileName,
        ErrorCode.NoFiles,
        ErrorCode.TooManyFiles,
        ErrorCode.EmptyFile,
        ErrorCode.FileTooLarge,
        ErrorCode.UnsupportedType,
        ErrorCode.ContentMismatch,
        ErrorCode.CorruptFile,
        ErrorCode.NoText,
        ErrorCode.EncryptedFile,
        ErrorCode.FileTooComplex,
        ErrorCode.AllFilesFailed,
        ErrorCode.EmbeddingMismatch,
      ],
    },
  )
  async upload(
    @Param('collection') collection: string,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    // Multer has written the files to the spool on disk; whatever happens next, the request
    // leaves none behind (a job moves its files out first).
    const received = (files ?? []).map((file) => ({ fileName: file.originalname, path: file.path, sizeBytes: file.size }));
    try {
      assertCollectionName(collection);
      const metadata = parseMetadataField(body?.metadata);
      if (received.length === 0) {
        throw new SiftError(ErrorCode.NoFiles, 'No files received: send them as multipart/form-data in the field "files".');
      }
      const answer = await this.uploads.ingest({ collection, metadata, files: received });
      if (answer.kind === 'job') {
        response.status(202).location(`/v1/jobs/${answer.job.id}`);
        return { job: answer.job };
      }
      const verdict = uploadStatus(answer.outcomes);
      if (verdict.error) throw new SiftError(verdict.error.code, verdict.error.message, { documents: answer.outcomes });
      response.status(verdict.status);
      return { collection, documents: answer.outcomes, summary: summarize(answer.outcomes) };
    } finally {
      await this.uploads.discard(received);
    }
  }

  @Get(':collection/documents')
  @Needs('read', { collection: 'collection' })
  @ApiOperation({ summary: 'List the documents of a collection' })
  @QueryParameters(listDocumentsQuerySchema)
  @Answers({ 200: { description: 'A page of documents', schema: responses.documentsListSchema } }, { fails: [...STORE_FAILURES, ErrorCode.ValidationFailed, ErrorCode.InvalidCollectionName, ErrorCode.CollectionNotFound] })
  async listDocuments(
    @Param('collection') collection: string,
    @Query(new ZodValidationPipe(listDocumentsQuerySchema, 'query string')) page: ListDocumentsQuery,
  ) {
    await this.assertCollectionExists(collection);
    const { documents, total } = await this.store.listDocuments(collection, page);
    return { collection, documents, total, limit: page.limit, offset: page.offset, sort: page.sort, order: page.order };
  }

  @Get(':collection/documents/:id')
  @Needs('read', { collection: 'collection' })
  @ApiOperation({ summary: 'A document with its chunks' })
  @Answers({ 200: { description: 'The document and its chunks', schema: responses.documentWithChunksSchema } }, { fails: [...STORE_FAILURES, ErrorCode.InvalidCollectionName, ErrorCode.CollectionNotFound, ErrorCode.DocumentNotFound] })
  async getDocument(@Param('collection') collection: string, @Param('id') id: string) {
    await this.assertCollectionExists(collection);
    const document = await this.store.getDocument(collection, id);
    if (!document) throw this.documentNotFound(collection, id);
    return { ...document, chunks: await this.store.getChunks(collection, id) };
  }

  @Delete(':collection/documents/:id')
  @Needs('write', { collection: 'collection' })
  @ApiOperation({ summary: 'Delete a document and its chunks' })
  @Answers({ 200: { description: 'Deleted', schema: responses.documentDeletedSchema } }, { fails: [...STORE_FAILURES, ErrorCode.InvalidCollectionName, ErrorCode.CollectionNotFound, ErrorCode.DocumentNotFound] })
  async deleteDocument(@Param('collection') collection: string, @Param('id') id: string) {
    await this.assertCollectionExists(collection);
    if (!(await this.store.deleteDocument(collection, id))) throw this.documentNotFound(collection, id);
    return { collection, id, deleted: true };
  }

  private async assertCollectionExists(collection: string): Promise<void> {
    assertCollectionName(collection);
    if (!(await this.store.getCollection(collection))) throw collectionNotFound(collection);
  }

  private documentNotFound(collection: string, id: string): SiftError {
    return new SiftError(ErrorCode.DocumentNotFound, `Document "${id}" is not in collection "${collection}".`);
  }
}
