// POST /v1/estimate: what a workload would cost, from the same price table the usage ledger
// uses. Tokens come from the request (counts per request) or from sample texts (Sift's own
// token estimate, averaged); no model is called. Every configured chat model is priced
// alongside, so a team can see e.g. Flash Lite against a local Ollama model at $0.
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { estimateTokens } from '../ingestion/chunking/token-estimate.js';
import type { ProviderName, StageModel } from '../providers/provider-types.js';
import type { ModelPrice, PriceSource } from '../usage/price-table.js';
import { UsageMeters } from '../usage/usage-meters.js';
import { describeModel } from './gateway-models.js';

export interface EstimateRequest {
  provider?: ProviderName;
  model?: string;
  inputTokens?: number;
  outputTokens?: number;
  texts?: string[];
  requestsPerMonth: number;
}

export interface ModelCost {
  provider: ProviderName;
  model: string;
  /** USD per million tokens, and where the price came from. */
  price: ModelPrice & { source: PriceSource };
  perRequestUsd: number;
  perMonthUsd: number;
  configured: boolean;
}

export interface EstimateResponse {
  model: StageModel;
  tokens: { inputPerRequest: number; outputPerRequest: number; source: 'given' | 'sample-texts'; samples?: number };
  perRequest: { inputTokens: number; outputTokens: number; costUsd: number };
  perMonth: { requests: number; inputTokens: number; outputTokens: number; costUsd: number };
  comparison: ModelCost[];
  notes: string[];
}

@Injectable()
export class EstimateService {
  constructor(
    private readonly config: AppConfig,
    private readonly meters: UsageMeters,
  ) {}

  estimate(request: EstimateRequest): EstimateResponse {
    const model = this.modelFor(request);
    const tokens = this.tokensFor(request);
    const costOf = (target: StageModel) => this.meters.prices.costUsd(target.provider, target.model, tokens.inputPerRequest, tokens.outputPerRequest);
    const configured = this.config.chatModels;
    const isConfigured = (target: StageModel) => configured.some((entry) => describeModel(entry) === describeModel(target));
    const compared = isConfigured(model) ? configured : [model, ...configured];
    const comparison = compared
      .map((target): ModelCost => {
        const perRequestUsd = costOf(target);
        return {
          provider: target.provider,
          model: target.model,
          price: { ...this.meters.prices.priceOf(target.provider, target.model), source: this.meters.prices.sourceOf(target.provider, target.model) },
          perRequestUsd,
          perMonthUsd: perRequestUsd * request.requestsPerMonth,
          configured: isConfigured(target),
        };
      })
      .sort((a, b) => a.perMonthUsd - b.perMonthUsd || describeModel(a).localeCompare(describeModel(b)));
    const perRequestUsd = costOf(model);
    const notes = ['Prices are USD per million tokens from the price table the usage ledger uses (MODEL_PRICES overrides it).'];
    if (compared.some((target) => target.provider === 'ollama')) notes.push('Ollama models run locally: $0 per token; hardware and power are not counted.');
    if (this.meters.prices.sourceOf(model.provider, model.model) === 'fallback') notes.push(`${model.model} has no listed price; Gemini Flash Lite's is used. Set MODEL_PRICES for an exact figure.`);
    if (tokens.source === 'sample-texts') notes.push("Input tokens are Sift's estimate of the sample texts (about 1.3 per English word); providers count slightly differently.");
    return {
      model,
      tokens,
      perRequest: { inputTokens: tokens.inputPerRequest, outputTokens: tokens.outputPerRequest, costUsd: perRequestUsd },
      perMonth: {
        requests: request.requestsPerMonth,
        inputTokens: tokens.inputPerRequest * request.requestsPerMonth,
        outputTokens: tokens.outputPerRequest * request.requestsPerMonth,
        costUsd: perRequestUsd * request.requestsPerMonth,
      },
      comparison,
      notes,
    };
  }

  /** The model named (provider inferred from the configured models, else Gemini's list), else the chat model. */
  private modelFor(request: EstimateRequest): StageModel {
    const configured = this.config.chatModels;
    if (!request.model) {
      const base = request.provider ? configured.find((entry) => entry.provider === request.provider) : (this.config.models.chat ?? configured[0]);
      if (base) return base;
      if (request.provider) throw new SiftError(ErrorCode.ValidationFailed, `No ${request.provider} model is configured; name one in "model".`);
      throw new SiftError(ErrorCode.ValidationFailed, 'No chat model is configured; name the model to estimate in "model" (and its "provider").');
    }
    if (request.provider) return { provider: request.provider, model: request.model };
    const known = configured.find((entry) => entry.model === request.model);
    if (known) return known;
    if (this.meters.prices.sourceOf('gemini', request.model) === 'list') return { provider: 'gemini', model: request.model };
    throw new SiftError(ErrorCode.ValidationFailed, `Sift does not know which provider serves "${request.model}"; add "provider": "gemini" or "ollama".`);
  }

  private tokensFor(request: EstimateRequest): EstimateResponse['tokens'] {
    const outputPerRequest = request.outputTokens ?? 0;
    if (request.inputTokens !== undefined) return { inputPerRequest: request.inputTokens, outputPerRequest, source: 'given' };
    const texts = request.texts ?? [];
    const total = texts.reduce((sum, text) => sum + estimateTokens(text), 0);
    return { inputPerRequest: Math.round(total / texts.length), outputPerRequest, source: 'sample-texts', samples: texts.length };
  }
}
