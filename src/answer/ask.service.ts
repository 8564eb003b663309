// Answers a question from a collection: retrieve passages, then answer from them. With no
// generation model configured the answer is extractive, and the response says what a model
// would add.
import { Injectable } from '@nestjs/common';
import { TraceRecorder } from '../observability/trace.js';
import { SearchService } from '../retrieval/search.service.js';
import type { AskRequest, AskResponse } from './answer-types.js';
import { extractAnswer } from './extractive-answer.js';

export const NOT_FOUND_ANSWER = 'Not found in the documents: no passage in this collection answers the question.';
export const EXTRACTIVE_NOTE =
  'Extractive answer: these are sentences quoted from the best-matching passages. No generation model is configured; ' +
  'set GENERATION_PROVIDER=gemini (with GOOGLE_API_KEY) or GENERATION_PROVIDER=ollama for a written answer that combines the passages, with the same citations.';

@Injectable()
export class AskService {
  constructor(private readonly search: SearchService) {}

  async ask(collection: string, request: AskRequest): Promise<AskResponse> {
    await this.search.assertSearchable(collection, request.question, 'question');
    const trace = new TraceRecorder();
    const retrieved = await this.search.retrieve(collection, { query: request.question, topK: request.topK, filter: request.filter }, trace);
    const extracted = await trace.time(
      'extractive-answer',
      async () => extractAnswer(request.question, retrieved.results),
      (result) => ({ citations: result.citations.length }),
    );
    const found = extracted.answer !== null;
    return {
      question: request.question,
      answer: extracted.answer ?? NOT_FOUND_ANSWER,
      found,
      mode: 'extractive',
      citations: extracted.citations,
      note: EXTRACTIVE_NOTE,
      usage: { stages: [], totalTokens: 0, costUsd: 0 },
      trace: trace.finish(),
    };
  }
}
