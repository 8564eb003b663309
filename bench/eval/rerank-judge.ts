// Model servers for evaluating the rerank layer without a real model. Each is the
// wire-compatible fake Gemini from the test tree, so Sift's real client, prompts, windows,
// passage clipping and output parsing all run exactly as in production:
// - oracle: ranks (or grades) the passages in a prompt by their qrels relevance;
// - noisy-oracle: the oracle with a fixed share of its order scrambled, seeded per prompt;
// - garbage: answers nonsense, so the reranker must keep the retrieval order.
import { createHash } from 'node:crypto';
import { startFakeGemini, type FakeGemini } from '../../test/fakes/fake-gemini.js';
import { readPrompt } from '../../test/fakes/fake-model.js';
import type { Judgments, Qrels } from './metrics.js';

export type JudgeKind = 'oracle' | 'noisy-oracle' | 'garbage';
export const JUDGE_KINDS: readonly JudgeKind[] = ['oracle', 'noisy-oracle', 'garbage'];

/** Default share of positions the noisy oracle shuffles among themselves, in every window. */
export const NOISE_SHARE = 0.2;

export interface RerankJudge {
  /** Settings that point Sift's rerank stage at this judge. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Passages reach the model clipped and flattened; their opening words identify them. */
export function passageKey(text: string): string {
  return text.replace(/\s+/g, ' ').trim().slice(0, 80);
}

function seededRandom(seed: string): () => number {
  let state = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Shuffles `share` of the positions among themselves; the rest stay put. */
export function scramble<T>(order: T[], share: number, random: () => number): T[] {
  const positions = order.map((_, index) => index).filter(() => random() < share);
  const picked = positions.map((position) => order[position]!);
  for (let i = picked.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [picked[i], picked[j]] = [picked[j]!, picked[i]!];
  }
  const result = [...order];
  positions.forEach((position, index) => (result[position] = picked[index]!));
  return result;
}

export interface JudgeData {
  qrels: Qrels;
  /** Query text -> query id. */
  queryIds: Map<string, string>;
  /** passageKey(chunk text) -> document id. */
  passageDocs: Map<string, string>;
}

/** The judge's answer to one prompt: a ranking, or grades when the prompt asks for grades. */
export function judgeAnswer(kind: Exclude<JudgeKind, 'garbage'>, prompt: string, data: JudgeData, noiseShare = NOISE_SHARE): string {
  const { passages, question } = readPrompt(prompt);
  const judgments: Judgments = data.qrels.get(data.queryIds.get((question ?? '').trim()) ?? '') ?? new Map();
  const relevance = (text: string) => judgments.get(data.passageDocs.get(passageKey(text.replace(/ …$/, ''))) ?? '') ?? 0;
  if (/\bgrade\b/i.test(prompt.slice(prompt.lastIndexOf('Instructions:')))) {
    const grades = passages.map((passage) => ({ id: passage.id, grade: Math.min(3, relevance(passage.text) * 3) }));
    return JSON.stringify({ grades });
  }
  let order = [...passages].sort((a, b) => relevance(b.text) - relevance(a.text) || a.id - b.id).map((passage) => passage.id);
  if (kind === 'noisy-oracle') order = scramble(order, noiseShare, seededRandom(prompt));
  return JSON.stringify({ ranking: order });
}

export async function startRerankJudge(kind: JudgeKind, data: JudgeData, options: { latencyMs?: number; noiseShare?: number } = {}): Promise<RerankJudge> {
  const fake: FakeGemini = await startFakeGemini();
  if (kind === 'garbage') fake.setMode('garbage', { endpoint: 'chat' });
  else fake.setResponder((request) => judgeAnswer(kind, request.prompt, data, options.noiseShare));
  if (options.latencyMs) fake.setMode('slow', { endpoint: 'chat', delayMs: options.latencyMs });
  return {
    env: { RERANK_PROVIDER: 'gemini', RERANK_MODEL: 'gemini-3.1-flash-lite', GOOGLE_API_KEY: 'evaluation', GEMINI_BASE_URL: fake.url },
    close: () => fake.close(),
  };
}
