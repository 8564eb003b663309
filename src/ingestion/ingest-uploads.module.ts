// Uploads over HTTP: the spool on disk, the synchronous path and the `ingest` job kind.
import { Module } from '@nestjs/common';
import { JobsModule } from '../jobs/jobs.module.js';
import { IngestJobHandler } from './ingest-job.js';
import { UploadIngestionService } from './upload-ingestion.service.js';
import { UploadSpool } from './upload-spool.js';

@Module({
  imports: [JobsModule],
  providers: [UploadSpool, IngestJobHandler, UploadIngestionService],
  exports: [UploadIngestionService],
})
export class IngestUploadsModule {}
