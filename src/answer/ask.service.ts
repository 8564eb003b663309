// Answers a question from a collection: retrieve passages, then write an answer from them
// with the generation model, or quote them (extractive) when no model is configured or the
// model fails. Either way the answer cites the passages, and the trace says what happened.
import { Injectable } from '@nestjs/common';
import { ErrorCode, isSiftError } from '../common/errors.js';
import { AppConfig } from '../config/app-config.js';
import { assertConversationLimits } from '../conversation/conversation-limits.js';
import { QueryRewriter } from '../conversation/query-rewriter.service.js';
import { GenerationService } from '../generation/generation.service.js';
import { TraceRecorder } from '../observability/trace.js';
import { SearchService } from '../retrieval/search.service.js';
import type { RankedChunk } from '../retrieval/search-types.js';
import type { UsageMeter } from '../usage/usage-meter.js';
import { UsageMeters } from '../usage/usage-meters.js';
import type { AskRequest, AskResponse, AskStreamEvent } from './answer-types.js';
import { extractAnswer } from './extractive-answer.js';

export const NOT_FOUND_ANSWER = 'Not found in the documents: no passage in this collection answers the question.';
export const EXTRACTIVE_NOTE =
  'Extractive answer: these are sentences quoted from the best-matching passages. No generation model is configured; ' +
  'set GENERATION_PROVIDER=gemini (with GOOGLE_API_KEY) or GENERATION_PROVIDER=ollama for a written answer that combines the passages, with the same citations.';

export interface AskOptions {
  signal?: AbortSignal;
  /** Receives stream events; when given, the answer is streamed. */
  emit?: (event: AskStreamEvent) => void;
}

@Injectable()
export class AskService {
  constructor(
    private readonly search: SearchService,
    private readonly generation: GenerationService,
    private readonly meters: UsageMeters,
    private readonly rewriter: QueryRewriter,
    private readonly config: AppConfig,
  ) {}

  /**
   * The checks that can fail before any work (and before a stream opens): the conversation's
   * limits, a searchable collection and, for a generated answer, model budget left on the key.
   */
  async assertAskable(collection: string, request: Pick<AskRequest, 'question' | 'history' | 'generate'>) {
    assertConversationLimits(request.history ?? [], { maxTurns: this.config.values.CONVERSATION_MAX_TURNS, maxChars: this.config.values.CONVERSATION_MAX_CHARS });
    const info = await this.search.assertSearchable(collection, request.question, 'question');
    if (this.generation.model && request.generate !== false) {
      const refusal = await this.meters.start().budgetRefusal('a generated answer');
      if (refusal) throw refusal;
    }
    return info;
  }

  async ask(collection: string, request: AskRequest, options: AskOptions = {}): Promise<AskResponse> {
    const info = await this.assertAskable(collection, request);
    const history = request.history ?? [];
    const trace = new TraceRecorder({ 'sift.collection': info.name });
    const meter = this.meters.start();
    const rewrite = await this.rewriter.rewrite(request.question, history, trace, meter, options.signal);
    const retrieved = await this.search.retrieve(info, { query: rewrite.query, topK: request.topK, candidates: request.candidates, filter: request.filter, rerank: request.rerank }, trace, meter);
    const passages = retrieved.results;
    options.emit?.({
      event: 'sources',
      data: { sources: passages.map((p, i) => ({ n: i + 1, chunkId: p.chunkId, documentId: p.documentId, source: p.source, headingPath: p.headingPath, page: p.page })) },
    });

    const generated = request.generate === false ? null : await this.generated(request, passages, trace, meter, options);
    const answer = generated ?? this.extractive(rewrite.query, passages, trace, options, request.generate === false);
    const response: AskResponse = { question: request.question, query: rewrite.query, rewrite: rewrite.method, ...answer, retrieval: retrieved.retrieval, usage: meter.summary(), trace: trace.finish() };
    options.emit?.({ event: 'done', data: response });
    return response;
  }

  /** The model's answer, or null when there is no model or it failed (the trace says which). */
  private async generated(request: AskRequest, passages: RankedChunk[], trace: TraceRecorder, meter: UsageMeter, options: AskOptions) {
    if (!this.generation.model) return null;
    if (passages.length === 0) {
      trace.note('No passage matched, so the model was not called.');
      return { answer: NOT_FOUND_ANSWER, found: false, mode: 'generated' as const, citations: [], note: null };
    }
    let streamed = false;
    try {
      const onToken = options.emit
        ? (text: string) => {
            streamed = true;
            options.emit!({ event: 'token', data: { text } });
          }
        : undefined;
      const generateOptions = { signal: options.signal, onToken, history: request.history, maxOutputTokens: request.maxOutputTokens, temperature: request.temperature };
      const result = await trace.time('generate', () => this.generation.generate(request.question, passages, meter, generateOptions), (r) => ({
        found: r.found,
        citations: r.citations.length,
        droppedCitations: r.droppedNumbers.length,
      }));
      if (result.droppedNumbers.length > 0) trace.note(`Dropped citation numbers that match no passage: ${result.droppedNumbers.join(', ')}.`);
      if (!result.found) return { answer: NOT_FOUND_ANSWER, found: false, mode: 'generated' as const, citations: [], note: null };
      if (result.citations.length === 0) {
        // Sift's answers are checkable or they are not given: an uncited answer is treated as bad output.
        trace.note('The model answered without citing any passage; extractive answer given instead.');
        if (streamed) options.emit?.({ event: 'reset', data: { reason: 'the model answer cited no passage' } });
        return null;
      }
      return { answer: result.text, found: true, mode: 'generated' as const, citations: result.citations, note: null };
    } catch (error) {
      // A budget used up by this very request's retrieval is the key's limit, not a model failure.
      if (!isSiftError(error) || error.code === ErrorCode.BudgetExceeded) throw error;
      trace.note(`Generation failed, extractive answer given instead: ${error.message}`);
      if (streamed) options.emit?.({ event: 'reset', data: { reason: error.message } });
      return null;
    }
  }

  private extractive(question: string, passages: RankedChunk[], trace: TraceRecorder, options: AskOptions, asked: boolean) {
    const started = performance.now();
    const extracted = extractAnswer(question, passages);
    trace.record('extractive-answer', performance.now() - started, { citations: extracted.citations.length });
    const answer = extracted.answer ?? NOT_FOUND_ANSWER;
    // A streaming client still gets the answer as text events, then the final event.
    options.emit?.({ event: 'token', data: { text: answer } });
    const note = asked
      ? 'Extractive answer, as asked ("generate": false): these sentences are quoted from the best-matching passages.'
      : this.generation.model
        ? 'Extractive answer: the generation model failed (see trace.notes); these sentences are quoted from the best-matching passages.'
        : EXTRACTIVE_NOTE;
    return { answer, found: extracted.answer !== null, mode: 'extractive' as const, citations: extracted.citations, note };
  }
}
