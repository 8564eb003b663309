// Collections and their documents: upload, list, read, delete. Thin: validate, call the
// service or store, shape the answer.
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Logger,
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
import { assertCollectionName } from '../common/collection-name.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { httpStatusFor } from '../common/http-status-for.js';
import { ingestEach, summarize, type FileOutcome } from '../ingestion/batch-ingest.js';
import { IngestionService } from '../ingestion/ingestion.service.js';
import { VECTOR_STORE, type DocumentMetadata, type VectorStore } from '../store/vector-store.js';
import { documentMetadataSchema, listDocumentsQuerySchema, type ListDocumentsQuery } from './request-schemas.js';
import { ZodValidationPipe } from './zod-validation.pipe.js';

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
    const message = failures.length === 1 ? first!.message : `No file was stored: ${failures.map((f) => f.message).join(' ')}`;
    return { status: httpStatusFor(first!.code), error: { code: first!.code, message } };
  }
  return {
    status: httpStatusFor(ErrorCode.AllFilesFailed),
    error: { code: ErrorCode.AllFilesFailed, message: `No file was stored: ${failures.map((f) => f.message).join(' ')}` },
  };
}

@ApiTags('collections')
@ApiBearerAuth()
@Controller('v1/collections')
export class CollectionsController {
  private readonly logger = new Logger('Ingestion');

  constructor(
    private readonly ingestion: IngestionService,
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
  ) {}

  @Get()
  @ApiOperation({ summary: 'List collections with document and chunk counts' })
  async listCollections() {
    return { collections: await this.store.listCollections() };
  }

  @Delete(':collection')
  @ApiOperation({ summary: 'Delete a collection and every document in it' })
  async deleteCollection(@Param('collection') collection: string) {
    assertCollectionName(collection);
    if (!(await this.store.deleteCollection(collection))) throw this.collectionNotFound(collection);
    return { collection, deleted: true };
  }

  @Post(':collection/documents')
  @HttpCode(200)
  @UseInterceptors(FilesInterceptor('files'))
  @ApiOperation({ summary: 'Upload documents (.txt, .md, .html, .pdf, .docx); each file is created, updated, unchanged or failed' })
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
  async upload(
    @Param('collection') collection: string,
    @UploadedFiles() files: Express.Multer.File[] | undefined,
    @Body() body: Record<string, unknown>,
    @Res({ passthrough: true }) response: Response,
  ) {
    assertCollectionName(collection);
    const metadata = parseMetadataField(body?.metadata);
    if (!files || files.length === 0) {
      throw new SiftError(ErrorCode.NoFiles, 'No files received: send them as multipart/form-data in the field "files".');
    }
    const outcomes = await ingestEach(
      files.map((file) => ({ fileName: file.originalname, bytes: new Uint8Array(file.buffer.buffer, file.buffer.byteOffset, file.buffer.byteLength) })),
      (file) => this.ingestion.ingestFile({ collection, fileName: file.fileName, bytes: file.bytes, metadata }),
      { onUnexpected: (error, file) => this.logger.error(`Ingesting "${file.fileName}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`) },
    );
    const verdict = uploadStatus(outcomes);
    if (verdict.error) throw new SiftError(verdict.error.code, verdict.error.message, { documents: outcomes });
    response.status(verdict.status);
    return { collection, documents: outcomes, summary: summarize(outcomes) };
  }

  @Get(':collection/documents')
  @ApiOperation({ summary: 'List the documents of a collection' })
  async listDocuments(
    @Param('collection') collection: string,
    @Query(new ZodValidationPipe(listDocumentsQuerySchema, 'query string')) page: ListDocumentsQuery,
  ) {
    await this.assertCollectionExists(collection);
    const { documents, total } = await this.store.listDocuments(collection, page);
    return { collection, documents, total, limit: page.limit, offset: page.offset };
  }

  @Get(':collection/documents/:id')
  @ApiOperation({ summary: 'A document with its chunks' })
  async getDocument(@Param('collection') collection: string, @Param('id') id: string) {
    await this.assertCollectionExists(collection);
    const document = await this.store.getDocument(collection, id);
    if (!document) throw this.documentNotFound(collection, id);
    return { ...document, chunks: await this.store.getChunks(collection, id) };
  }

  @Delete(':collection/documents/:id')
  @ApiOperation({ summary: 'Delete a document and its chunks' })
  async deleteDocument(@Param('collection') collection: string, @Param('id') id: string) {
    await this.assertCollectionExists(collection);
    if (!(await this.store.deleteDocument(collection, id))) throw this.documentNotFound(collection, id);
    return { collection, id, deleted: true };
  }

  private async assertCollectionExists(collection: string): Promise<void> {
    assertCollectionName(collection);
    if (!(await this.store.getCollection(collection))) throw this.collectionNotFound(collection);
  }

  private collectionNotFound(collection: string): SiftError {
    return new SiftError(ErrorCode.CollectionNotFound, `Collection "${collection}" does not exist.`);
  }

  private documentNotFound(collection: string, id: string): SiftError {
    return new SiftError(ErrorCode.DocumentNotFound, `Document "${id}" is not in collection "${collection}".`);
  }
}
