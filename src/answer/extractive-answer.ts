// The answer Sift gives without a generation model: the sentences from the top passages
// that best match the question, each cited. It never invents text, so it is always
// faithful to the documents, and it costs nothing.
import { analyze, analyzeQuery } from '../retrieval/lexical-analyzer.js';
import type { RankedChunk } from '../retrieval/search-types.js';
import type { Citation } from './answer-types.js';

export interface ExtractiveAnswer {
  answer: string | null;
  citations: Citation[];
}

interface CandidateSentence {
  text: string;
  chunkIndex: number;
  position: number;
  terms: Set<string>;
}

const MAX_SENTENCES = 3;
const MAX_SENTENCE_CHARS = 400;
const SNIPPET_CHARS = 240;
const segmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

function sentencesOf(chunk: RankedChunk, chunkIndex: number): CandidateSentence[] {
  const sentences: CandidateSentence[] = [];
  let position = 0;
  for (const { segment } of segmenter.segment(chunk.text)) {
    const text = segment.replace(/\s+/g, ' ').trim();
    if (text.length < 3) continue;
    sentences.push({ text, chunkIndex, position: position++, terms: new Set(analyze(text)) });
  }
  return sentences;
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/**
 * Picks up to three sentences greedily: each pick scores sentences by the rarity-weighted
 * question terms they contain that earlier picks did not already cover, so the answer
 * spreads over the parts of the question instead of repeating one fact.
 */
export function extractAnswer(question: string, chunks: RankedChunk[]): ExtractiveAnswer {
  const questionTerms = analyzeQuery(question);
  const sentences = chunks.flatMap(sentencesOf);
  const weight = new Map<string, number>();
  for (const term of questionTerms) {
    const containing = sentences.filter((sentence) => sentence.terms.has(term)).length;
    if (containing > 0) weight.set(term, Math.log(1 + sentences.length / containing));
  }

  const covered = new Set<string>();
  const picked: CandidateSentence[] = [];
  while (picked.length < MAX_SENTENCES) {
    let best: { sentence: CandidateSentence; score: number } | null = null;
    for (const sentence of sentences) {
      if (picked.includes(sentence)) continue;
      let score = 0;
      for (const [term, termWeight] of weight) {
        if (sentence.terms.has(term)) score += covered.has(term) ? termWeight * 0.25 : termWeight;
      }
      // Earlier passages ranked higher in retrieval; prefer them when sentences tie.
      score /= 1 + 0.15 * sentence.chunkIndex;
      if (score > 0 && (!best || score > best.score)) best = { sentence, score };
    }
    if (!best || (picked.length > 0 && best.score < 0.3 * firstScore(picked, weight))) break;
    picked.push(best.sentence);
    for (const term of best.sentence.terms) covered.add(term);
  }
  if (picked.length === 0) return { answer: null, citations: [] };

  picked.sort((a, b) => a.chunkIndex - b.chunkIndex || a.position - b.position);
  const citationNumber = new Map<number, number>();
  const citations: Citation[] = [];
  const parts = picked.map((sentence) => {
    let n = citationNumber.get(sentence.chunkIndex);
    if (n === undefined) {
      n = citations.length + 1;
      citationNumber.set(sentence.chunkIndex, n);
      const chunk = chunks[sentence.chunkIndex]!;
      citations.push({
        n,
        chunkId: chunk.chunkId,
        documentId: chunk.documentId,
        source: chunk.source,
        title: chunk.title,
        headingPath: chunk.headingPath,
        page: chunk.page,
        snippet: clip(sentence.text, SNIPPET_CHARS),
      });
    }
    return `${clip(sentence.text, MAX_SENTENCE_CHARS)} [${n}]`;
  });
  return { answer: parts.join(' '), citations };
}

function firstScore(picked: CandidateSentence[], weight: Map<string, number>): number {
  const first = picked[0]!;
  let score = 0;
  for (const [term, termWeight] of weight) if (first.terms.has(term)) score += termWeight;
  return score / (1 + 0.15 * first.chunkIndex);
}
