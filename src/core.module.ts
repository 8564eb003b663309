// The pipeline without HTTP: store, ingestion, retrieval and answers. The HTTP app, the
// ingest CLI and the evaluation all build on this one module.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { AskService } from './answer/ask.service.js';
import { IngestionService } from './ingestion/ingestion.service.js';
import { SearchService } from './retrieval/search.service.js';
import { createVectorStore } from './store/create-vector-store.js';
import { VECTOR_STORE, type VectorStore } from './store/vector-store.js';

class StoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(VECTOR_STORE) private readonly store: VectorStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: AppConfig, useValue: config },
        { provide: VECTOR_STORE, useFactory: () => createVectorStore(config) },
        StoreLifecycle,
        IngestionService,
        SearchService,
        AskService,
      ],
      exports: [AppConfig, VECTOR_STORE, IngestionService, SearchService, AskService],
    };
  }
}
