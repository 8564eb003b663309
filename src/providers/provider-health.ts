// Tells /readyz whether each configured provider answers, with a cheap listing call and a
// short timeout. Results are kept for a few seconds so probes do not hammer the provider.
import { Injectable } from '@nestjs/common';
import { AppConfig, type StageModels } from '../config/app-config.js';
import type { ProviderName, StageModel } from './provider-types.js';

const PROBE_TIMEOUT_MS = 2_000;
const CACHE_MS = 10_000;

export interface ProviderCheck {
  stage: keyof StageModels;
  provider: string;
  model: string;
  status: 'ok' | 'unreachable';
  detail?: string;
}

@Injectable()
export class ProviderHealth {
  private cached: { at: number; checks: ProviderCheck[] } | null = null;

  constructor(private readonly config: AppConfig) {}

  async check(): Promise<ProviderCheck[]> {
    if (this.cached && Date.now() - this.cached.at < CACHE_MS) return this.cached.checks;
    const stages = Object.entries(this.config.models).filter((entry): entry is [ProviderCheck['stage'], StageModel] => entry[1] !== null);
    // Several stages often share a provider (the gateway stages follow generation): one probe each.
    const probes = new Map<ProviderName, ReturnType<ProviderHealth['probe']>>();
    for (const [, model] of stages) if (!probes.has(model.provider)) probes.set(model.provider, this.probe(model));
    const checks = await Promise.all(stages.map(async ([stage, model]) => ({ stage, provider: model.provider, model: model.model, ...(await probes.get(model.provider)!) })));
    this.cached = { at: Date.now(), checks };
    return checks;
  }

  private async probe(model: StageModel): Promise<Pick<ProviderCheck, 'status' | 'detail'>> {
    const v = this.config.values;
    const request =
      model.provider === 'ollama'
        ? { url: `${v.OLLAMA_BASE_URL.replace(/\/$/, '')}/api/tags`, headers: {} }
        : { url: `${(v.GEMINI_BASE_URL ?? 'https://generativelanguage.googleapis.com').replace(/\/$/, '')}/v1beta/models?pageSize=1`, headers: { 'x-goog-api-key': v.GOOGLE_API_KEY ?? '' } };
    try {
      const response = await fetch(request.url, { headers: request.headers, signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
      if (response.ok) return { status: 'ok' };
      return { status: 'unreachable', detail: `HTTP ${response.status} from ${model.provider}` };
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${PROBE_TIMEOUT_MS} ms` : ((error as Error).cause as Error | undefined)?.message ?? (error as Error).message;
      return { status: 'unreachable', detail: `${model.provider} at ${request.url.split('/v1beta')[0]!.split('/api/')[0]}: ${reason}` };
    }
  }
}
