// Builds the HTTP application from a validated configuration. main.ts and the end-to-end
// tests both start Sift through here, so tests exercise the same stack users get.
import { Logger, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { json, type NextFunction, type Request, type Response } from 'express';
import { AppModule } from './app.module.js';
import { declaredRoutes } from './http/declared-routes.js';
import { withCallContext } from './auth/caller.js';
import type { AppConfig } from './config/app-config.js';
import { classifyBodyLimitBytes } from './gateway/classify/classify.service.js';
import { MetricsService } from './observability/metrics.service.js';

const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

function logLevelsFrom(level: string): LogLevel[] {
  return LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level as LogLevel) + 1);
}

export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  // Routing is case-sensitive, so /V1/... is not an alias of /v1/... (paths are part of the
  // contract); it has to be set before the first route, on an instance of our own.
  const server = express();
  server.set('case sensitive routing', true);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), new ExpressAdapter(server), {
    bodyParser: false,
    logger: logLevelsFrom(config.values.LOG_LEVEL),
  });
  // Node's defaults hold a slow client for minutes; these are settings. Node looks for
  // overdue requests every connectionsCheckingInterval (30 s by default), read at listen.
  const httpServer = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
  httpServer.headersTimeout = config.limits.headersTimeoutMs;
  httpServer.requestTimeout = config.limits.requestTimeoutMs;
  httpServer.connectionsCheckingInterval = Math.min(1000, config.limits.headersTimeoutMs);
  // Classification sends many texts at once; its own parser runs first (and the global one
  // then skips the parsed body).
  app.use('/v1/classify', json({ limit: classifyBodyLimitBytes(config) }));
  // A query far over MAX_QUERY_CHARS must reach validation and get a 400 that says so,
  // not a 413 from the body parser; 1 MB is still a bound on what JSON requests cost.
  app.useBodyParser('json', { limit: '1mb' });
  app.disable('x-powered-by');
  // Express hashes every response body for an ETag; API answers are not cached by clients.
  app.set('etag', false);
  // A clustered worker stops on the primary's SIGTERM only (see main.ts).
  app.enableShutdownHooks(config.role.clustered ? ['SIGTERM'] : undefined);

  // After the body parsers (whose callbacks would lose it): the rest of each request runs
  // with a slot for its caller, which the key guard fills and usage meters read.
  app.use((_request: Request, _response: Response, next: NextFunction) => withCallContext(next));

  const metrics = app.get(MetricsService);
  app.use((request: Request, response: Response, next: NextFunction) => {
    const started = performance.now();
    response.on('finish', () => {
      const route = request.route ? `${request.baseUrl}${String(request.route.path)}` : 'unmatched';
      metrics.observeRequest(request.method, route, response.statusCode, (performance.now() - started) / 1000);
    });
    next();
  });

  const undeclared = declaredRoutes(app).filter((route) => route.need === null);
  for (const route of undeclared) {
    new Logger('Auth').warn(`${route.method} ${route.path} declares neither @Needs(...) nor @PublicRoute(): only admin keys may call it.`);
  }

  const openApi = new DocumentBuilder()
    .setTitle('Sift')
    .setDescription('RAG service with a fast reranking layer: upload documents, search them, ask questions with cited answers.')
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, openApi), { jsonDocumentUrl: 'docs/openapi.json' });
  return app;
}

export function logStartup(config: AppConfig, address: string, keys: { keysRequired: boolean; storedKeys: number }): void {
  const { keysRequired, storedKeys } = keys;
  const logger = new Logger('Sift');
  logger.log(`Listening on ${address} (API docs at ${address}/docs)`);
  logger.log(`Store: ${config.values.SIFT_STORE} in ${config.dataDir}`);
  const { embeddings, rerank, generation } = config.models;
  const describe = (model: { provider: string; model: string } | null, without: string) => (model ? `${model.provider} ${model.model}` : `none (${without})`);
  logger.log(`Embeddings: ${describe(embeddings, 'lexical BM25 retrieval only')}`);
  logger.log(`Rerank: ${describe(rerank, 'retrieval order is kept')}`);
  logger.log(`Generation: ${describe(generation, 'extractive answers quote the passages')}`);
  const { chat, vision, classify } = config.models;
  logger.log(`Gateway: chat ${describe(chat, 'POST /v1/chat off')}, vision ${describe(vision, 'POST /v1/vision off')}, classify ${describe(classify, 'POST /v1/classify off')}`);
  logger.log(
    keysRequired
      ? `API keys: ${config.apiKeys.length} in SIFT_API_KEYS, ${storedKeys} in ${config.dataDir}/keys.sqlite; /v1 routes need a Bearer key.`
      : 'API keys: none; /v1 routes are open (create one with `npm run keys -- create`).',
  );
}
