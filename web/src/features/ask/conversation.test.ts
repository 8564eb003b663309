import { describe, expect, it } from 'vitest';
import type { AskResponse } from '../../api/types.ts';
import { historyOf, type ConversationTurn } from './conversation.ts';

const turn = (id: number, question: string, answer: string | null): ConversationTurn => ({
  id,
  question,
  streamed: '',
  sources: [],
  response: answer === null ? null : ({ answer } as AskResponse),
  error: null,
  resetReason: null,
});

describe('conversation history', () => {
  it('sends the answered turns in order as user and assistant messages, skipping failed ones', () => {
    expect(historyOf([turn(1, 'Hotel cap?', '180 euros [1].'), turn(2, 'Broken?', null), turn(3, 'And in Paris?', '220 euros [2].')])).toEqual([
      { role: 'user', content: 'Hotel cap?' },
      { role: 'assistant', content: '180 euros [1].' },
      { role: 'user', content: 'And in Paris?' },
      { role: 'assistant', content: '220 euros [2].' },
    ]);
  });

  it('keeps only the latest turns', () => {
    const turns = Array.from({ length: 12 }, (_, i) => turn(i, `q${i}`, `a${i}`));
    expect(historyOf(turns, 2).map((entry) => entry.content)).toEqual(['q10', 'a10', 'q11', 'a11']);
  });
});
