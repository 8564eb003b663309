// Estimated prices in USD per million tokens. Kept apart from the code that calls models so
// the same table serves the usage ledger, responses and (later) cost estimates.
import type { ProviderName } from '../providers/provider-types.js';

export interface ModelPrice {
  input: number;
  output: number;
}

const GEMINI_PRICES: Record<string, ModelPrice> = {
  'gemini-3.1-flash-lite': { input: 0.25, output: 1.5 },
  'gemini-embedding-001': { input: 0.15, output: 0 },
};

/** Where a price came from: MODEL_PRICES, the built-in list, a local model's $0, or the Flash Lite fallback for a Gemini model not listed. */
export type PriceSource = 'override' | 'list' | 'local' | 'fallback';

export class PriceTable {
  constructor(private readonly overrides: Record<string, ModelPrice> = {}) {}

  priceOf(provider: ProviderName, model: string): ModelPrice {
    const override = this.overrides[model];
    if (override) return override;
    // A local Ollama model costs no per-token fee.
    if (provider === 'ollama') return { input: 0, output: 0 };
    return GEMINI_PRICES[model] ?? GEMINI_PRICES['gemini-3.1-flash-lite']!;
  }

  sourceOf(provider: ProviderName, model: string): PriceSource {
    if (this.overrides[model]) return 'override';
    if (provider === 'ollama') return 'local';
    return GEMINI_PRICES[model] ? 'list' : 'fallback';
  }

  costUsd(provider: ProviderName, model: string, inputTokens: number, outputTokens: number): number {
    const price = this.priceOf(provider, model);
    return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
  }
}

/** Reads MODEL_PRICES overrides, rejecting entries that are not {input, output} numbers. */
export function parsePriceOverrides(raw: Record<string, unknown> | undefined): Record<string, ModelPrice> {
  const prices: Record<string, ModelPrice> = {};
  for (const [model, value] of Object.entries(raw ?? {})) {
    const price = value as Partial<ModelPrice> | null;
    if (typeof price?.input !== 'number' || typeof price.output !== 'number' || price.input < 0 || price.output < 0) {
      throw new Error(`MODEL_PRICES["${model}"] must be {"input": <USD per million>, "output": <USD per million>}`);
    }
    prices[model] = { input: price.input, output: price.output };
  }
  return prices;
}
