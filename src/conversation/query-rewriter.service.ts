// Turns a follow-up question and its earlier turns into the query retrieval searches. The
// fast model (the rerank model, else the generation model) writes it within a deadline;
// answers are cached by model, turns and question. Without a model, or when the model is
// late, fails or answers nothing usable, the rule carries the topic words of earlier turns.
import { createHash } from 'node:crypto';
import { Inject, Injectable, Optional } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { AppConfig } from '../config/app-config.js';
import { isSiftError } from '../common/errors.js';
import type { TraceRecorder } from '../observability/trace.js';
import type { ChatClient } from '../providers/chat-client.js';
import { callModel } from '../providers/model-call.js';
import { GENERATION_CHAT_CLIENT, RERANK_CHAT_CLIENT } from '../providers/model-clients.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import type { ConversationTurn, QueryRewrite } from './conversation-types.js';
import { REWRITE_MAX_OUTPUT_TOKENS, REWRITE_PROMPT_VERSION, readRewrite, rewriteMessages } from './rewrite-prompt.js';
import { ruleRewrite } from './rule-rewrite.js';

@Injectable()
export class QueryRewriter {
  private readonly client: ChatClient | null;
  private readonly cache: LRUCache<string, string> | null;

  constructor(
    private readonly config: AppConfig,
    @Optional() @Inject(RERANK_CHAT_CLIENT) rerankClient: ChatClient | null,
    @Optional() @Inject(GENERATION_CHAT_CLIENT) generationClient: ChatClient | null,
  ) {
    this.client = rerankClient ?? generationClient ?? null;
    const size = config.values.REWRITE_CACHE_SIZE;
    this.cache = size > 0 ? new LRUCache({ max: size }) : null;
  }

  /** The query for `question`, recorded in the trace as stage `rewrite`; the question itself when there is no history. */
  async rewrite(question: string, history: readonly ConversationTurn[], trace: TraceRecorder, meter: UsageMeter, signal?: AbortSignal): Promise<QueryRewrite> {
    const detailOf = (rewrite: QueryRewrite) => {
      const detail: Record<string, unknown> = { method: rewrite.method, query: rewrite.query, cached: rewrite.cached };
      if (rewrite.carried.length > 0) detail.carried = rewrite.carried;
      if (rewrite.reason) detail.reason = rewrite.reason;
      return detail;
    };
    const result: QueryRewrite =
      history.length === 0 ? { query: question, method: 'none', carried: [], cached: false } : await trace.time('rewrite', () => this.rewriteFollowUp(question, history, meter, signal), detailOf);
    if (result.reason) trace.note(`Query rewrite by rule: ${result.reason}.`);
    return result;
  }

  private async rewriteFollowUp(question: string, history: readonly ConversationTurn[], meter: UsageMeter, signal?: AbortSignal): Promise<QueryRewrite> {
    const byRule = (reason?: string): QueryRewrite => {
      const { query, carried } = ruleRewrite(question, history);
      return { query, method: carried.length > 0 ? 'rule' : 'none', carried, cached: false, ...(reason ? { reason } : {}) };
    };
    const client = this.client;
    if (!client) return byRule();
    const key = this.cacheKey(client, question, history);
    const cached = this.cache?.get(key);
    if (cached) return { query: cached, method: 'model', carried: [], cached: true };
    const v = this.config.values;
    const deadline = AbortSignal.timeout(v.REWRITE_DEADLINE_MS);
    let answer: string;
    try {
      const reply = await callModel(client, rewriteMessages(question, history), {
        stage: 'rewrite',
        meter,
        timeoutMs: v.REWRITE_DEADLINE_MS,
        // Inside a short deadline a retry only delays the rule's answer.
        maxRetries: 0,
        signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
        temperature: 0,
        maxOutputTokens: REWRITE_MAX_OUTPUT_TOKENS,
      });
      answer = reply.text;
    } catch (error) {
      if (signal?.aborted) throw error;
      if (deadline.aborted) return byRule(`the model passed the ${v.REWRITE_DEADLINE_MS} ms deadline (REWRITE_DEADLINE_MS)`);
      if (!isSiftError(error)) throw error;
      return byRule(`the model call failed (${String(error.details?.kind ?? error.code)})`);
    }
    const query = readRewrite(answer, v.MAX_QUERY_CHARS);
    if (!query) return byRule('the model answered no usable query');
    this.cache?.set(key, query);
    return { query, method: 'model', carried: [], cached: false };
  }

  private cacheKey(client: ChatClient, question: string, history: readonly ConversationTurn[]): string {
    const hash = createHash('sha256');
    for (const part of [client.model.provider, client.model.model, REWRITE_PROMPT_VERSION, question]) hash.update(part).update('\0');
    for (const turn of history) hash.update(turn.role).update('\0').update(turn.content).update('\0');
    return hash.digest('hex');
  }
}
