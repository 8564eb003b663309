// The `ingest` kind of background job: the files of one large upload, spooled to disk,
// ingested INGEST_CONCURRENCY at a time. Each file's outcome is recorded as it finishes (the
// same shape as a synchronous upload's `documents`) and its spooled copy deleted, so a
// restart resumes with exactly the files not yet done, provided their copies are intact.
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { JobRunner } from '../jobs/job-runner.js';
import type { JobContext, JobHandler, ResumeCheck } from '../jobs/job-types.js';
import type { DocumentMetadata } from '../store/vector-store.js';
import { ingestEach, summarize, type FileOutcome } from './batch-ingest.js';
import { IngestionService } from './ingestion.service.js';
import { UploadSpool, type SpooledFile } from './upload-spool.js';

export const INGEST_JOB_KIND = 'ingest';

export interface IngestJobInput {
  collection: string;
  metadata: DocumentMetadata;
  /** The spool batch folder that holds the files. */
  batch: string;
  files: SpooledFile[];
}

/** A file's item key is its position in the upload. */
const keyOf = (index: number): string => String(index);

@Injectable()
export class IngestJobHandler implements JobHandler<IngestJobInput>, OnModuleInit {
  readonly kind = INGEST_JOB_KIND;
  private readonly logger = new Logger('Ingestion');

  constructor(
    private readonly runner: JobRunner,
    private readonly spool: UploadSpool,
    private readonly ingestion: IngestionService,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.runner.register(this);
    const kept = (await this.runner.unfinishedInputs(this.kind)).map((input) => (input as IngestJobInput).batch);
    await this.spool.removeBatchesExcept(new Set(kept));
  }

  async run(input: IngestJobInput, context: JobContext): Promise<void> {
    const pending = input.files.map((file, index) => ({ ...file, index })).filter((file) => !context.completed.has(keyOf(file.index)));
    await ingestEach(
      pending,
      async (file) => this.ingestion.ingestFile({ collection: input.collection, fileName: file.fileName, bytes: await this.spool.read(input.batch, file), metadata: input.metadata }),
      {
        concurrency: this.config.jobs.ingestConcurrency,
        signal: context.signal,
        onUnexpected: (error, file) => this.logger.error(`Ingesting "${file.fileName}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
        onOutcome: async (outcome, file) => {
          // A write that needed Redis (its document lease) is not this file's failure: the job is resumed with it once Redis is back.
          if (outcome.status === 'failed' && outcome.error.code === ErrorCode.RedisUnavailable) throw new SiftError(ErrorCode.RedisUnavailable, outcome.error.message);
          const landed = outcome.status !== 'failed';
          await context.recordItem({ key: keyOf(file.index), ordinal: file.index, result: outcome }, { chunks: landed ? outcome.chunkCount : 0, failed: landed ? 0 : 1 });
          // Recorded first, deleted second: a stop in between leaves a copy nobody needs, never a file lost.
          void this.spool.discard(input.batch, file).catch(() => undefined);
        },
      },
    );
  }

  async checkResumable(input: IngestJobInput, completed: ReadonlySet<string>): Promise<ResumeCheck> {
    const remaining = input.files.filter((_, index) => !completed.has(keyOf(index)));
    const problem = await this.spool.problemWith(input.batch, remaining);
    return problem ? { resumable: false, reason: problem } : { resumable: true };
  }

  release(input: IngestJobInput): Promise<void> {
    return this.spool.removeBatch(input.batch, input.files);
  }

  collectionOf(input: IngestJobInput): string {
    return input.collection;
  }

  present(input: IngestJobInput, items: unknown[]): Record<string, unknown> {
    const documents = items as FileOutcome[];
    return { collection: input.collection, documents, summary: summarize(documents) };
  }
}
