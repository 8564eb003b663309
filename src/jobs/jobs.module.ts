// Background jobs for the HTTP server: the job store (DATA_DIR/jobs.sqlite) and the runner.
// Not part of CoreModule on purpose: the ingest CLI and the evaluation build on CoreModule
// too, and they must neither open the server's jobs nor resume them.
import { Module } from '@nestjs/common';
import { JobRunner } from './job-runner.js';
import { JobStore } from './job-store.js';

@Module({
  providers: [JobStore, JobRunner],
  exports: [JobRunner],
})
export class JobsModule {}
