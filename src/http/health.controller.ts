// Probes and metrics: open without an API key so that orchestrators and scrapers need no secret.
import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ErrorCode, SiftError } from '../common/errors.js';
import { MetricsService } from '../observability/metrics.service.js';
import { VECTOR_STORE, type VectorStore } from '../store/vector-store.js';

@ApiExcludeController()
@Controller()
export class HealthController {
  constructor(
    @Inject(VECTOR_STORE) private readonly store: VectorStore,
    private readonly metrics: MetricsService,
  ) {}

  @Get('healthz')
  health() {
    return { status: 'ok' };
  }

  @Get('readyz')
  async ready() {
    try {
      await this.store.checkHealth();
    } catch (error) {
      throw new SiftError(ErrorCode.StoreUnavailable, `The store is not usable: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { status: 'ready', checks: { store: 'ok' } };
  }

  @Get('metrics')
  async metricsText(@Res() response: Response) {
    const { contentType, body } = await this.metrics.render();
    response.setHeader('Content-Type', contentType);
    response.send(body);
  }
}
