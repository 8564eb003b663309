// The fast model's prompt for a standalone query, and the reading of its answer. Short on
// purpose: the call sits in front of retrieval, so its tokens are paid on every follow-up.
import type { ChatMessage } from '../providers/chat-client.js';
import type { ConversationTurn } from './conversation-types.js';

export const REWRITE_PROMPT_VERSION = 'rewrite-v1';
/** Earlier turns are cut to this many characters each in the prompt: the topic, not the detail. */
const TURN_CHARS = 400;
export const REWRITE_MAX_OUTPUT_TOKENS = 64;

const SYSTEM =
  'You rewrite the last question of a conversation into one standalone search query. ' +
  'Replace references such as "it" or "that" with what they refer to in the earlier turns. ' +
  'Reply with the query only, on one line, in the language of the question.';

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= TURN_CHARS ? flat : `${flat.slice(0, TURN_CHARS)}…`;
}

export function rewriteMessages(question: string, history: readonly ConversationTurn[]): ChatMessage[] {
  const turns = history.map((turn) => `${turn.role === 'user' ? 'User' : 'Assistant'}: ${clip(turn.content)}`).join('\n');
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `Conversation:\n${turns}\n\nLast question: ${question}\n\nStandalone query:` },
  ];
}

/** The query in a model's answer, or null when it holds none worth searching. */
export function readRewrite(answer: string, maxChars: number): string | null {
  const line = answer
    .split('\n')
    .map((part) => part.trim())
    .find((part) => part.length > 0);
  if (!line) return null;
  const query = line
    .replace(/^(standalone query|query|rewritten query)\s*:\s*/i, '')
    .replace(/^["'`“”]+|["'`“”]+$/g, '')
    .trim();
  if (query.length === 0 || query.length > maxChars) return null;
  return query;
}
