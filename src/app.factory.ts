// Builds the HTTP application from a validated configuration. main.ts and the end-to-end
// tests both start Sift through here, so tests exercise the same stack users get.
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import { SwaggerModule } from '@nestjs/swagger';
import express, { json, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module.js';
import { declaredRoutes } from './http/declared-routes.js';
import { JsonReplyAdapter } from './http/json-reply-adapter.js';
import { withCallContext } from './auth/caller.js';
import { buildOpenApiDocument } from './http/openapi-document.js';
import type { AppConfig } from './config/app-config.js';
import { classifyBodyLimitBytes } from './gateway/classify/classify.service.js';
import { deferBodyErrors } from './http/error-envelope.js';
import { rerankApiBodyLimitBytes } from './reranking/rerank-api.service.js';
import { MetricsService } from './observability/metrics.service.js';
import { requestTelemetry } from './observability/request-telemetry.js';
import { createLogger } from './observability/startup-logger.js';
import { ProviderHealth } from './providers/provider-health.js';
import { VECTOR_STORE, type VectorStore } from './store/vector-store.js';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function logLevelsFrom(level: string): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level as LogLevel) + 1);
}

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  // Routing is case-sensitive, so /V1/... is not an alias of /v1/... (paths are part of the
  // contract); it has to be set before the first route, on an instance of our own.
  const server = express();
  server.set('case sensitive routing', true);
  const logger = createLogger(config.values.LOG_FORMAT);
  logger.setLogLevels(logLevelsFrom(config.values.LOG_LEVEL));
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new JsonReplyAdapter(server), {
    bodyParser: false,
    logger,
    // A provider that cannot start (Redis unreachable with REDIS_URL set) rejects here with its
    // message, so main.ts can say it and exit, rather than Nest aborting the process.
    abortOnError: false,
  });
  // Node's defaults hold a slow client for minutes; these are settings. Node looks for
  // overdue requests every connectionsCheckingInterval (30 s by default), read at listen.
  const httpServer = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  httpServer.headersTimeout = config.limits.headersTimeoutMs;
  httpServer.requestTimeout = config.limits.requestTimeoutMs;
  httpServer.connectionsCheckingInterval = Math.min(1000, config.limits.headersTimeoutMs);
  // Classification sends many texts at once; its own parser runs first (and the global one
  // then skips the parsed body).
  app.use('/v1/classify', deferBodyErrors(json({ limit: classifyBodyLimitBytes(config) })));
  // The rerank API takes up to 1,000 documents of RERANK_API_MAX_DOCUMENT_CHARS each.
  app.use(['/v1/rerank', '/v2/rerank'], deferBodyErrors(json({ limit: rerankApiBodyLimitBytes(config) })));
  // A query far over MAX_QUERY_CHARS must reach validation and get a 400 that says so,
  // not a 413 from the body parser; 1 MB is still a bound on what JSON requests cost.
  // Parser errors are raised inside the matched route, so they answer in its error envelope.
  app.use(deferBodyErrors(json({ limit: '1mb' })));
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag; API answers are not cached by clients.
  app.set('etag', false);
  // A clustered worker stops on the primary's SIGTERM only (see main.ts).
  app.enableShutdownHooks(config.role.clustered ? ['SIGTERM'] : undefined);

  // After the body parsers (whose callbacks would lose it): the rest of each request runs
  // with a slot for its caller, which the key guard fills and usage meters read.
  app.use((_request: Request, _response: Response, next: NextFunction) => withCallContext(next));

  app.use(requestTelemetry(app.get(MetricsService), logger, config.values.LOG_FORMAT));

  const undeclared = declaredRoutes(app).filter((route) => route.need === null);
  for (const route of undeclared) {
    new Logger('Auth').warn(`${route.method} ${route.path} declares neither @Needs(...) nor @PublicRoute(): only admin keys may call it.`);
  }

  SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app, config), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

/** What a person starting Sift needs to read: where it is, what each stage runs on, what to try. */
export function logStartup(config: AppConfig, address: string, keys: { keysRequired: boolean; storedKeys: number }): void {
  const { keysRequired, storedKeys } = keys;
  const logger = new Logger('Sift');
  const { embeddings, rerank, generation } = config.models;
  const describe = (model: { provider: string; model: string } | null, without: string) => (model ? `${model.provider} ${model.model}` : `none (${without})`);
  const store =
    config.values.SIFT_STORE === 'qdrant'
      ? `qdrant at ${config.values.QDRANT_URL} (collections prefixed "${config.values.QDRANT_COLLECTION_PREFIX}"; documents registry there too)`
      : `sqlite in ${config.dataDir}`;
  logger.log(`Store: ${store}`);
  logger.log(`Embeddings: ${describe(embeddings, 'lexical BM25 retrieval only')}`);
  logger.log(`Rerank: ${describe(rerank, 'retrieval order is kept')}`);
  logger.log(`Generation: ${describe(generation, 'extractive answers quote the passages')}`);
  const { chat, vision, classify } = config.models;
  logger.log(`Gateway: chat ${describe(chat, 'POST /v1/chat off')}, vision ${describe(vision, 'POST /v1/vision off')}, classify ${describe(classify, 'POST /v1/classify off')}`);
  logger.log(
    keysRequired
      ? `API keys: ${config.apiKeys.length} in SIFT_API_KEYS, ${storedKeys} in ${config.dataDir}/keys.sqlite; API routes need "Authorization: Bearer <key>".`
      : 'API keys: none; the API is open to anyone who can reach this address (create a key with `npm run keys -- create`).',
  );
  logger.log(`Listening on ${address}: API at ${address}/v1, OpenAPI docs at ${address}/docs${config.values.SIFT_UI ? `, web console at ${address}/` : ''}`);
  const auth = keysRequired ? " -H 'authorization: Bearer <key>'" : '';
  logger.log(`Try it (from the repository): curl -s${auth} -F files=@examples/travel.md ${address}/v1/collections/handbook/documents`);
}

/**
 * The server starts even when its store or a model provider cannot be reached (so /readyz
 * can say so), but says it at once, naming the address and what failed.
 */
export async function warnAboutUnreachableDependencies(app: NestExpressApplication, config: AppConfig): Promise<void> {
  const logger = new Logger('Sift');
  try {
    await app.get<VectorStore>(VECTOR_STORE).checkHealth();
  } catch (error) {
    const where = config.values.SIFT_STORE === 'qdrant' ? `Qdrant at ${config.values.QDRANT_URL}` : `The SQLite store in ${config.dataDir}`;
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(`${reason.includes(where) ? reason : `${where} cannot be reached: ${reason}`}. Requests that need the store answer 503, and /readyz says not ready, until it can be reached.`);
  }
  // One line per unreachable provider, with the stages that depend on it.
  const down = new Map<string, string[]>();
  for (const check of await app.get(ProviderHealth).check()) {
    if (check.status !== 'ok') down.set(check.detail ?? check.provider, [...(down.get(check.detail ?? check.provider) ?? []), `${check.stage} (${check.model})`]);
  }
  for (const [detail, stages] of down) {
    logger.warn(`A model provider cannot be reached: ${detail}. Affected: ${stages.join(', ')}; those stages fall back as documented, and /readyz says not ready until it answers.`);
  }
}
