import { describe, expect, it } from 'vitest';
import { answerParts } from './answer-markers.ts';

describe('citation markers in an answer', () => {
  it('turns [n] and [n, m] into markers of the citations that exist', () => {
    expect(answerParts('Hotels are 180 euros [1]. Trains too [2, 3].', new Set([1, 2, 3]))).toEqual([
      { kind: 'text', text: 'Hotels are 180 euros ' },
      { kind: 'cite', n: 1 },
      { kind: 'text', text: '. Trains too ' },
      { kind: 'cite', n: 2 },
      { kind: 'cite', n: 3 },
      { kind: 'text', text: '.' },
    ]);
  });

  it('leaves a bracketed number that names no citation as text', () => {
    expect(answerParts('See [7] and [1]', new Set([1]))).toEqual([
      { kind: 'text', text: 'See [7] and ' },
      { kind: 'cite', n: 1 },
    ]);
  });
});
