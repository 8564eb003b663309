// The OpenAI response shapes Sift answers with, and Sift's extensions on them (fields that
// OpenAI clients ignore safely).
import type { Citation } from '../answer/answer-types.js';
import type { RewriteMethod } from '../conversation/conversation-types.js';
import type { QueryTrace } from '../observability/trace.js';
import type { UsageSummary } from '../usage/usage-record.js';

export interface OpenAiModel {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export interface OpenAiUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** What a `sift/<collection>` answer adds: structured citations, the searched query, the trace. */
export interface SiftCompletionExtension {
  collection: string;
  query: string;
  rewrite: RewriteMethod;
  mode: 'generated' | 'extractive';
  found: boolean;
  note: string | null;
  citations: Citation[];
  usage: UsageSummary;
  trace: QueryTrace;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{ index: 0; message: { role: 'assistant'; content: string; refusal: null }; logprobs: null; finish_reason: 'stop' }>;
  usage: OpenAiUsage;
  system_fingerprint: null;
  /** One string per cited source, `[n] source › heading path (p. N)`. */
  citations?: string[];
  sift?: SiftCompletionExtension;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: Array<{ index: 0; delta: { role?: 'assistant'; content?: string }; logprobs: null; finish_reason: 'stop' | null }>;
  system_fingerprint: null;
  usage?: OpenAiUsage | null;
  citations?: string[];
  sift?: SiftCompletionExtension;
}

export function toOpenAiUsage(usage: UsageSummary): OpenAiUsage {
  const prompt = usage.stages.reduce((sum, stage) => sum + stage.inputTokens, 0);
  const completion = usage.stages.reduce((sum, stage) => sum + stage.outputTokens, 0);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

export function citationLabel(citation: Citation): string {
  const where = [citation.source, ...citation.headingPath].join(' › ');
  return `[${citation.n}] ${where}${citation.page !== null ? ` (p. ${citation.page})` : ''}`;
}
