// Probes and metrics: open without an API key so that orchestrators and scrapers need no secret.
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode, SiftError } from '../common/errors.js';
import { MetricsService } from '../observability/metrics.service.js';
import { ProviderHealth } from '../providers/provider-health.js';
import { VECTOR_STORE, type VectorStore } from '../store/vector-store.js';
import { SHARED_REDIS, type SharedRedis } from '../shared-state/shared-redis.js';
import { PublicRoute } from './public-route.js';
import { Answers } from './api-contract.js';
import * as responses from './response-schemas.js';

@ApiTags('operations')
@PublicRoute()
@Controller()
export class HealthController {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly metrics: MetricsService,
    private readonly providers: ProviderHealth,
    @Inject(SHARED_REDIS) private readonly redis: SharedRedis | null,
  ) {}

  @Get('healthz')
  @Answers({ 200: { description: 'The process answers', schema: responses.healthSchema } }, { public: true })
  health() {
    return { status: 'ok' };
  }

  /** Ready when the store answers, Redis (with REDIS_URL) answers and every configured model provider can be reached. */
  @Get('readyz')
  @Answers({ 200: { description: 'The store and every configured model provider answer', schema: responses.readySchema } }, { public: true, fails: [ErrorCode.StoreUnavailable, ErrorCode.ProviderUnavailable, ErrorCode.RedisUnavailable] })
  async ready() {
    try {
      await this.store.checkHealth();
    } catch (error) {
      throw new SiftError(ErrorCode.StoreUnavailable, `The store is not usable: ${error instanceof Error ? error.message : String(error)}`);
    }
    const redis = this.redis ? await this.redis.check() : null;
    if (redis && redis.status !== 'ok') {
      throw new SiftError(ErrorCode.RedisUnavailable, `Not ready: ${redis.detail}. Searches still answer; shared limits, usage and write leases are degraded (see "Scaling out").`, { checks: { store: 'ok', redis } });
    }
    const shared = redis ? { redis } : {};
    const providers = await this.providers.check();
    const down = providers.filter((check) => check.status !== 'ok');
    if (down.length > 0) {
      throw new SiftError(ErrorCode.ProviderUnavailable, `Not ready: ${down.map((check) => `${check.stage} provider unreachable (${check.detail})`).join('; ')}`, { checks: { store: 'ok', ...shared, providers } });
    }
    return { status: 'ready', checks: { store: 'ok', ...shared, ...(providers.length > 0 ? { providers } : {}) } };
  }

  @Get('metrics')
  @Answers({ 200: { description: 'Prometheus text exposition', contentType: 'text/plain' } }, { public: true })
  async metricsText(@Res() response: Response) {
    const { contentType, body } = await this.metrics.render();
    response.setHeader('Content-Type', contentType);
    response.send(body);
  }
}
