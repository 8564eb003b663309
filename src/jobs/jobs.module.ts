// Background jobs for the HTTP server: where their records live, the queue that runs them,
// and the runner. Without REDIS_URL: DATA_DIR/jobs.sqlite and this process; with it: Redis and
// BullMQ, shared by every replica. Not part of CoreModule on purpose: the ingest CLI and the
// evaluation build on CoreModule too, and they must neither open the server's jobs nor run them.
import { Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { SHARED_REDIS, type SharedRedis } from '../shared-state/shared-redis.js';
import { BullmqJobQueue } from './bullmq-job-queue.js';
import { JOB_QUEUE } from './job-queue.js';
import { JobRunner } from './job-runner.js';
import { JOB_STORE, type JobStore } from './job-store.js';
import { LocalJobQueue } from './local-job-queue.js';
import { RedisJobStore } from './redis-job-store.js';
import { SqliteJobStore } from './sqlite-job-store.js';

@Module({
  providers: [
    {
      provide: JOB_STORE,
      useFactory: (config: AppConfig, redis: SharedRedis | null): JobStore => (redis ? new RedisJobStore(redis, config) : new SqliteJobStore(config)),
      inject: [AppConfig, SHARED_REDIS],
    },
    {
      provide: JOB_QUEUE,
      useFactory: (config: AppConfig, redis: SharedRedis | null, store: JobStore) => (redis ? new BullmqJobQueue(config) : new LocalJobQueue(config, store)),
      inject: [AppConfig, SHARED_REDIS, JOB_STORE],
    },
    JobRunner,
  ],
  exports: [JobRunner],
})
export class JobsModule {}
