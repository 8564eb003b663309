// What a client may know about how this server is set up: which provider and model serve
// each stage, the store, the retrieval and rerank defaults, and the limits. It is what a
// person needs to understand an answer (why it is extractive, why search is lexical only);
// secrets (keys, URLs with credentials) are never part of it.
import type { AppConfig } from './app-config.js';
import type { StageModel } from '../providers/provider-types.js';

interface StageSetting {
  provider: StageModel['provider'] | 'none';
  model: string | null;
  /** What the stage does as configured, in words. */
  effect: string;
}

function stage(model: StageModel | null, withModel: string, without: string): StageSetting {
  return model ? { provider: model.provider, model: model.model, effect: withModel } : { provider: 'none', model: null, effect: without };
}

/** `keysRequired`: keys from SIFT_API_KEYS or the key store are in use (the auth module knows). */
export function publicSettings(config: AppConfig, auth: { keysRequired: boolean }) {
  const v = config.values;
  const m = config.models;
  return {
    stages: {
      embeddings: stage(m.embeddings, 'hybrid retrieval: BM25 and dense vectors fused by reciprocal rank', 'BM25 (lexical) retrieval only; set EMBEDDINGS_PROVIDER for hybrid retrieval'),
      rerank: stage(m.rerank, 'the model orders the retrieved candidates when a request asks (or RERANK_BY_DEFAULT)', 'retrieval order is kept; set RERANK_PROVIDER for the LLM rerank layer'),
      generation: stage(m.generation, 'written answers citing [n], streamed on request', 'extractive answers: sentences quoted from the best passages; set GENERATION_PROVIDER for written answers'),
      chat: stage(m.chat, 'POST /v1/chat answers', 'POST /v1/chat is off'),
      vision: stage(m.vision, 'POST /v1/vision answers', 'POST /v1/vision is off'),
      classify: stage(m.classify, 'POST /v1/classify answers', 'POST /v1/classify is off'),
    },
    store: {
      kind: v.SIFT_STORE,
      ...(v.SIFT_STORE === 'sqlite' ? { lexicalIndex: v.SQLITE_LEXICAL_INDEX } : { quantization: v.QDRANT_QUANTIZATION, shards: v.QDRANT_SHARDS, replicationFactor: v.QDRANT_REPLICATION_FACTOR }),
    },
    retrieval: {
      mode: m.embeddings ? 'hybrid' : 'lexical',
      fusion: v.HYBRID_FUSION,
      rrf: { k: v.RRF_K, weightLexical: v.RRF_WEIGHT_LEXICAL, weightDense: v.RRF_WEIGHT_DENSE },
    },
    rerank: {
      byDefault: v.RERANK_BY_DEFAULT,
      mode: v.RERANK_MODE,
      candidates: v.RERANK_CANDIDATES,
      window: v.RERANK_WINDOW,
      deadlineMs: v.RERANK_DEADLINE_MS,
      passageTokens: v.RERANK_PASSAGE_TOKENS,
    },
    limits: {
      uploadBytes: v.MAX_UPLOAD_BYTES,
      uploadFiles: v.MAX_UPLOAD_FILES,
      queryChars: v.MAX_QUERY_CHARS,
      jobThresholdFiles: v.JOB_THRESHOLD_FILES,
      jobThresholdBytes: v.JOB_THRESHOLD_BYTES,
      chunkTokens: v.CHUNK_TOKENS,
      chunkOverlapTokens: v.CHUNK_OVERLAP_TOKENS,
      generationTimeoutMs: v.GENERATION_TIMEOUT_MS,
    },
    auth: { apiKeysRequired: auth.keysRequired },
  };
}

export type PublicSettings = ReturnType<typeof publicSettings>;
