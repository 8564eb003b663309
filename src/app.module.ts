import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { MulterModule } from '@nestjs/platform-express';
import { diskStorage } from 'multer';
import { AppConfig } from './config/app-config.js';
import { ConsoleModule } from './console/console.module.js';
import { CoreModule } from './core.module.js';
import { ApiKeyGuard } from './http/api-key.guard.js';
import { CollectionsController } from './http/collections.controller.js';
import { RouteContextGuard } from './http/error-envelope.js';
import { ErrorFilter } from './http/error.filter.js';
import { GatewayController } from './http/gateway.controller.js';
import { ClassifyJobs } from './gateway/classify/classify-jobs.js';
import { HealthController } from './http/health.controller.js';
import { JobsController } from './http/jobs.controller.js';
import { KeysController } from './http/keys.controller.js';
import { IngestUploadsModule } from './ingestion/ingest-uploads.module.js';
import { incomingSpoolDir } from './ingestion/upload-spool.js';
import { JobsModule } from './jobs/jobs.module.js';
import { QueryController } from './http/query.controller.js';
import { OpenAiController } from './http/openai.controller.js';
import { RerankApiController } from './http/rerank-api.controller.js';
import { SettingsController } from './http/settings.controller.js';
import { UsageController } from './http/usage.controller.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config),
        JobsModule,
        IngestUploadsModule,
        // The web console: its own page routes and assets, none overlapping the API.
        ConsoleModule.forRoot(config),
        MulterModule.register({
          // Files go to disk as they arrive, so memory does not grow with the size of an upload;
          // UploadSpool takes them from there (and clears what a stop left behind).
          storage: diskStorage({ destination: incomingSpoolDir(config.dataDir, config.role) }),
          // Keep the client's relative path so "../x" can be refused rather than silently
          // flattened, and read non-ASCII file names as UTF-8 as browsers send them.
          preservePath: true,
          defParamCharset: 'utf8',
          limits: { fileSize: config.limits.uploadBytes, files: config.limits.uploadFiles, fields: 10, fieldSize: 64 * 1024 },
        }),
      ],
      controllers: [HealthController, CollectionsController, JobsController, QueryController, UsageController, GatewayController, RerankApiController, OpenAiController, KeysController, SettingsController],
      providers: [
        // The `classify` job kind; it registers with JobsModule's runner.
        ClassifyJobs,
        // First: records the route's error envelope (and raises a deferred body-parser error) before anything can fail.
        { provide: APP_GUARD, useClass: RouteContextGuard },
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useFactory: () => new ErrorFilter(config.limits.uploadBytes) },
      ],
    };
  }
}
