// A conversation over a collection: each turn is a question and its answer (streaming, done or
// failed). What `ask` gets as history is the finished turns before the new question.
import type { AskResponse, StreamSource, Turn } from '../../api/types.ts';

export interface ConversationTurn {
  id: number;
  question: string;
  /** Text streamed so far; replaced by the response's answer when it is done. */
  streamed: string;
  sources: StreamSource[];
  response: AskResponse | null;
  error: Error | null;
  /** Set when the model failed mid-answer and the streamed text was discarded. */
  resetReason: string | null;
}

/** Earlier turns as `ask` takes them; a turn without an answer (failed, in flight) is left out. */
export function historyOf(turns: ConversationTurn[], limit = 10): Turn[] {
  return turns
    .filter((turn) => turn.response !== null)
    .slice(-limit)
    .flatMap((turn): Turn[] => [
      { role: 'user', content: turn.question },
      { role: 'assistant', content: turn.response!.answer },
    ]);
}
