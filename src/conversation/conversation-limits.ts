// Bounds on the earlier turns a request may carry, checked before any work so that a long
// conversation costs a clear 400, not a slow or expensive request.
import { ErrorCode, SiftError } from '../common/errors.js';
import type { ConversationTurn } from './conversation-types.js';

export interface ConversationLimits {
  maxTurns: number;
  maxChars: number;
}

export function assertConversationLimits(history: readonly ConversationTurn[], limits: ConversationLimits, what = 'history'): void {
  if (history.length > limits.maxTurns) {
    throw new SiftError(ErrorCode.ConversationTooLong, `The ${what} has ${history.length} turns; the limit is ${limits.maxTurns} (CONVERSATION_MAX_TURNS).`);
  }
  const chars = history.reduce((sum, turn) => sum + turn.content.length, 0);
  if (chars > limits.maxChars) {
    throw new SiftError(ErrorCode.ConversationTooLong, `The ${what} has ${chars} characters; the limit is ${limits.maxChars} (CONVERSATION_MAX_CHARS).`);
  }
}
