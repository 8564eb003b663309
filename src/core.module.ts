// The pipeline without HTTP: store, model clients, ingestion, retrieval, answers and usage.
// The HTTP app, the ingest CLI and the evaluation all build on this one module.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from './config/app-config.js';
import { AskService } from './answer/ask.service.js';
import { AuthService } from './auth/auth.service.js';
import { QueryRewriter } from './conversation/query-rewriter.service.js';
import { EMBEDDINGS_CLIENT } from './embeddings/embeddings-client.js';
import { EmbeddingService } from './embeddings/embedding.service.js';
import { ChatService } from './gateway/chat.service.js';
import { ClassifyService } from './gateway/classify/classify.service.js';
import { EstimateService } from './gateway/estimate.service.js';
import { GatewayModels } from './gateway/gateway-models.js';
import { ImageFetcher } from './gateway/vision/image-fetcher.js';
import { VisionService } from './gateway/vision/vision.service.js';
import { GenerationService } from './generation/generation.service.js';
import { IngestionService } from './ingestion/ingestion.service.js';
import { IngestionStats } from './ingestion/ingestion-stats.js';
import { ParserProcesses } from './ingestion/parse-pool/parse-pool.js';
import { MetricsService } from './observability/metrics.service.js';
import { OpenTelemetryTracing } from './observability/tracing.js';
import { createChatClient, createEmbeddingsClient, GENERATION_CHAT_CLIENT, RERANK_CHAT_CLIENT } from './providers/model-clients.js';
import { ProviderHealth } from './providers/provider-health.js';
import { SearchService } from './retrieval/search.service.js';
import { RerankApiService } from './reranking/rerank-api.service.js';
import { RerankService } from './reranking/rerank.service.js';
import { ChatCompletionsService } from './openai/chat-completions.service.js';
import { OpenAiModelsService } from './openai/openai-models.service.js';
import { connectSharedRedis, SHARED_REDIS, type SharedRedis } from './shared-state/shared-redis.js';
import { BoundedRedisCache, SHARED_CACHE, SHARED_CACHE_WAIT_MS } from './shared-state/bounded-redis-cache.js';
import { DocumentLeases } from './shared-state/document-leases.js';
import { createVectorStore } from './store/create-vector-store.js';
import { withDocumentLeases } from './store/leased-vector-store.js';
import { VECTOR_STORE, type VectorStore } from './store/vector-store.js';
import { UsageLedger } from './usage/usage-ledger.service.js';
import { UsageMeters } from './usage/usage-meters.js';

class ShutdownHooks implements OnApplicationShutdown {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly ledger: UsageLedger,
    @Inject(SHARED_REDIS) private readonly redis: SharedRedis | null,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.ledger.flush();
    await this.store.close();
    await this.redis?.close();
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
        // Shared with the other replicas when REDIS_URL is set; null keeps everything local.
        { provide: SHARED_REDIS, useFactory: async () => (config.redis ? connectSharedRedis(config.redis.url, config.redis.prefix) : null) },
        // The shared tier of the rerank and query-embedding caches; null keeps them per process.
        {
          provide: SHARED_CACHE,
          useFactory: (redis: SharedRedis | null) => (redis && config.sharedCache ? new BoundedRedisCache(redis, { ...config.sharedCache, waitMs: SHARED_CACHE_WAIT_MS }) : null),
          inject: [SHARED_REDIS],
        },
        {
          provide: VECTOR_STORE,
          // With Redis, writes to one document take turns across replicas (a lease per document).
          useFactory: (redis: SharedRedis | null) => (redis ? withDocumentLeases(createVectorStore(config), new DocumentLeases(redis)) : createVectorStore(config)),
          inject: [SHARED_REDIS],
        },
        { provide: EMBEDDINGS_CLIENT, useFactory: () => createEmbeddingsClient(config) },
        // Answers want some fluency; rankings want repeatable output.
        { provide: GENERATION_CHAT_CLIENT, useFactory: () => createChatClient(config, config.models.generation, { temperature: 0.2 }) },
        { provide: RERANK_CHAT_CLIENT, useFactory: () => createChatClient(config, config.models.rerank, { temperature: 0 }) },
        ShutdownHooks,
        // API keys, their rate limits and budgets (DATA_DIR/keys.sqlite).
        AuthService,
        OpenTelemetryTracing,
        MetricsService,
        UsageLedger,
        UsageMeters,
        ProviderHealth,
        EmbeddingService,
        GenerationService,
        RerankService,
        RerankApiService,
        IngestionStats,
        ParserProcesses,
        IngestionService,
        SearchService,
        QueryRewriter,
        AskService,
        // Model gateway: chat, vision, classification, estimates.
        GatewayModels,
        ChatService,
        ImageFetcher,
        VisionService,
        ClassifyService,
        EstimateService,
        // The OpenAI-compatible surface.
        OpenAiModelsService,
        ChatCompletionsService,
      ],
      exports: [AppConfig, SHARED_REDIS, AuthService, VECTOR_STORE, RERANK_CHAT_CLIENT, MetricsService, UsageLedger, UsageMeters, ProviderHealth, EmbeddingService, GenerationService, RerankService, RerankApiService, QueryRewriter, IngestionStats, IngestionService, SearchService, AskService, GatewayModels, ChatService, VisionService, ClassifyService, EstimateService, OpenAiModelsService, ChatCompletionsService],
    };
  }
}
