// The prompt for a written answer: numbered passages, the question, and rules that make
// the answer checkable — every claim cites [n], and an unsupported question gets a fixed
// token instead of a guess.
import type { ConversationTurn } from '../conversation/conversation-types.js';
import type { ChatMessage } from '../providers/chat-client.js';
import type { RankedChunk } from '../retrieval/search-types.js';

export const ANSWER_PROMPT_VERSION = 'answer-v1';
export const NOT_FOUND_TOKEN = 'NOT_FOUND';

const SYSTEM = [
  'You answer questions using only the numbered passages you are given.',
  'Cite the passage for every statement with its number in square brackets, for example [2]; cite several as [1][3].',
  `If the passages do not contain the answer, reply with exactly ${NOT_FOUND_TOKEN} and nothing else.`,
  'Do not use outside knowledge. Answer concisely, in the language of the question.',
].join(' ');

// Passages go in as bare numbered text: source names and heading paths cost tokens on
// every call and the answer does not need them; the citations carry them back instead.
// Blank lines inside a passage are closed up so that a blank line always means "next passage".
// Earlier turns of a conversation go before the passages as real user/assistant turns, so the
// model reads the question as the follow-up it is; their [n] markers are removed because
// those numbers named passages of earlier answers, not these.
export function buildAnswerMessages(question: string, passages: RankedChunk[], history: readonly ConversationTurn[] = []): ChatMessage[] {
  const context = passages.map((passage, index) => `[${index + 1}] ${passage.text.replace(/\n\s*\n/g, '\n')}`).join('\n\n');
  const earlier = history.map((turn): ChatMessage => ({ role: turn.role, content: turn.role === 'assistant' ? withoutMarkers(turn.content) : turn.content }));
  return [
    { role: 'system', content: SYSTEM },
    ...earlier,
    { role: 'user', content: `Passages:\n\n${context}\n\nQuestion: ${question}\n\nAnswer:` },
  ];
}

function withoutMarkers(text: string): string {
  return text.replace(/\s*\[\s*\d+\s*(?:[,;]\s*\d+\s*)*\]/g, '').trim();
}

/** True when the model said the passages hold no answer. */
export function isAbstention(answer: string): boolean {
  return answer.trim().replace(/[.!"'`*]/g, '').toUpperCase().startsWith(NOT_FOUND_TOKEN);
}
