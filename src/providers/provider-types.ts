// The names Sift uses for model providers and the stages that call them.

export type ProviderName = 'gemini' | 'ollama';
export type ProviderChoice = ProviderName | 'none';
/** The stages that call models, as the usage ledger names them. */
export type ModelStage = 'embed' | 'rewrite' | 'rerank' | 'generate' | 'chat' | 'vision' | 'classify';

export interface StageModel {
  provider: ProviderName;
  model: string;
}

/** Models used when a stage names a provider but no model. */
export const DEFAULT_MODELS: Record<ProviderName, { embeddings: string; chat: string }> = {
  gemini: { embeddings: 'gemini-embedding-001', chat: 'gemini-3.1-flash-lite' },
  ollama: { embeddings: 'embeddinggemma', chat: 'gemma3:4b' },
};

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}
