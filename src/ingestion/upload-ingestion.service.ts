// An upload, once multer has spooled its files to disk: small ones are ingested while the
// client waits, large ones (more files or bytes than JOB_THRESHOLD_FILES/_BYTES) become a
// background job and the client polls it.
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { JobRunner } from '../jobs/job-runner.js';
import type { JobView } from '../jobs/job-types.js';
import type { DocumentMetadata } from '../store/vector-store.js';
import { ingestEach, type FileOutcome } from './batch-ingest.js';
import { INGEST_JOB_KIND, type IngestJobInput } from './ingest-job.js';
import { IngestionService } from './ingestion.service.js';
import { assertDistinctSourceNames } from './source-name.js';
import { UploadSpool, type ReceivedFile } from './upload-spool.js';

export interface Upload {
  collection: string;
  metadata: DocumentMetadata;
  files: ReceivedFile[];
}

export type UploadAnswer = { kind: 'done'; outcomes: FileOutcome[] } | { kind: 'job'; job: JobView };

@Injectable()
export class UploadIngestionService {
  private readonly logger = new Logger('Ingestion');

  constructor(
    private readonly ingestion: IngestionService,
    private readonly spool: UploadSpool,
    private readonly runner: JobRunner,
    private readonly config: AppConfig,
  ) {}

  isLarge(files: ReceivedFile[]): boolean {
    const { thresholdFiles, thresholdBytes } = this.config.jobs;
    const bytes = files.reduce((sum, file) => sum + file.sizeBytes, 0);
    return files.length > thresholdFiles || bytes > thresholdBytes;
  }

  async ingest(upload: Upload): Promise<UploadAnswer> {
    assertDistinctSourceNames(upload.files.map((file) => file.fileName));
    if (this.isLarge(upload.files)) {
      const { batch, files } = await this.spool.adopt(upload.files);
      const input: IngestJobInput = { collection: upload.collection, metadata: upload.metadata, batch, files };
      try {
        return { kind: 'job', job: await this.runner.submit(INGEST_JOB_KIND, input, files.length, { chunks: 0, failed: 0 }) };
      } catch (error) {
        await this.spool.removeBatch(batch, files).catch(() => undefined);
        throw error;
      }
    }
    const outcomes = await ingestEach(
      upload.files,
      async (file) =>
        this.ingestion.ingestFile({ collection: upload.collection, fileName: file.fileName, bytes: await this.spool.readReceived(file), metadata: upload.metadata }),
      {
        concurrency: this.config.jobs.ingestConcurrency,
        onUnexpected: (error, file) => this.logger.error(`Ingesting "${file.fileName}" failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`),
      },
    );
    return { kind: 'done', outcomes };
  }

  /** Deletes what is left of an upload in the spool; call it whatever happened to the request. */
  discard(files: ReceivedFile[]): Promise<void> {
    return this.spool.discardReceived(files);
  }
}
