// Prompts for the rerank model. Passages are numbered from 1 within each call and cut to
// a token budget, so the cost of a call is bounded whatever the chunk size. The JSON
// schemas go to the providers' structured-output support; the parser reads free text too.
import { estimateTokens } from '../ingestion/chunking/token-estimate.js';
import type { ChatMessage } from '../providers/chat-client.js';

export const RERANK_PROMPT_VERSION = 'rerank-v1';

export const RANKING_SCHEMA = {
  type: 'object',
  properties: { ranking: { type: 'array', items: { type: 'integer' } } },
  required: ['ranking'],
};

export const GRADES_SCHEMA = {
  type: 'object',
  properties: {
    grades: {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, grade: { type: 'integer' } }, required: ['id', 'grade'] },
    },
  },
  required: ['grades'],
};

/** The text cut to about `maxTokens` estimated tokens, at a word boundary. */
export function clipToTokens(text: string, maxTokens: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (estimateTokens(flat) <= maxTokens) return flat;
  // Words are about 1.3 tokens; start from that guess and shrink until it fits.
  const words = flat.split(' ');
  let keep = Math.max(1, Math.floor(maxTokens / 1.3));
  while (keep > 1 && estimateTokens(words.slice(0, keep).join(' ')) > maxTokens) keep = Math.floor(keep * 0.9);
  return `${words.slice(0, keep).join(' ')} …`;
}

function numbered(passages: string[], maxTokens: number): string {
  return passages.map((text, index) => `[${index + 1}] ${clipToTokens(text, maxTokens)}`).join('\n\n');
}

export function listwiseMessages(query: string, passages: string[], maxTokens: number): ChatMessage[] {
  return [
    { role: 'system', content: 'You are a search relevance judge. You rank passages by how well they answer a search query.' },
    {
      role: 'user',
      content:
        `Query: ${query}\n\nPassages:\n\n${numbered(passages, maxTokens)}\n\n` +
        `Instructions: rank all ${passages.length} passages from most to least relevant to the query. ` +
        'Answer with JSON only: {"ranking": [passage numbers, most relevant first]}, each number once.',
    },
  ];
}

export function pointwiseMessages(query: string, passages: string[], maxTokens: number): ChatMessage[] {
  return [
    { role: 'system', content: 'You are a search relevance judge. You grade passages by how well they answer a search query.' },
    {
      role: 'user',
      content:
        `Query: ${query}\n\nPassages:\n\n${numbered(passages, maxTokens)}\n\n` +
        'Instructions: grade each passage for relevance to the query: 0 = unrelated, 1 = on topic, 2 = partly answers, 3 = answers it. ' +
        'Answer with JSON only: {"grades": [{"id": passage number, "grade": 0-3}, ...]} covering every passage.',
    },
  ];
}
