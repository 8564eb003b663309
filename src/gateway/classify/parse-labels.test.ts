import { describe, expect, it } from 'vitest';
import { matchLabel, parseBatchAnswer } from './parse-labels.js';

const LABELS = ['POSITIVE', 'NEGATIVE', 'NEUTRAL'];

describe('reading a batch answer', () => {
  it('reads the JSON asked for, by id', () => {
    const answer = '{"labels":[{"id":2,"label":"NEGATIVE"},{"id":1,"label":"POSITIVE"}]}';
    expect([...parseBatchAnswer(answer, 2)]).toEqual([
      [2, 'NEGATIVE'],
      [1, 'POSITIVE'],
    ]);
  });

  it('reads JSON in a code fence or in prose', () => {
    expect(parseBatchAnswer('Here you go:\n```json\n[{"id": 1, "label": "NEUTRAL"}]\n```', 1).get(1)).toBe('NEUTRAL');
    expect(parseBatchAnswer('Sure! {"1": "POSITIVE", "2": "NEUTRAL"} Hope that helps.', 2).get(2)).toBe('NEUTRAL');
  });

  it('reads a bare list of labels in order', () => {
    expect([...parseBatchAnswer('["POSITIVE", "NEGATIVE", "NEUTRAL"]', 3).values()]).toEqual(LABELS);
  });

  it('reads numbered lines', () => {
    const answer = '1: POSITIVE\n[2] - NEGATIVE\n3) neutral.';
    expect([...parseBatchAnswer(answer, 3)]).toEqual([
      [1, 'POSITIVE'],
      [2, 'NEGATIVE'],
      [3, 'neutral.'],
    ]);
  });

  it('drops ids outside the batch and keeps the first answer for a repeated id', () => {
    const answer = '[{"id":1,"label":"POSITIVE"},{"id":1,"label":"NEGATIVE"},{"id":7,"label":"NEUTRAL"}]';
    expect([...parseBatchAnswer(answer, 2)]).toEqual([[1, 'POSITIVE']]);
  });

  it('takes a bare answer as the label of a batch of one, and nothing from nonsense', () => {
    expect(parseBatchAnswer('Positive', 1).get(1)).toBe('Positive');
    expect(parseBatchAnswer('wobble flange ~~ %%', 3).size).toBe(0);
  });
});

describe('matching an answer to a label', () => {
  it('forgives case, quotes, brackets, trailing punctuation and separators', () => {
    expect(matchLabel('positive', LABELS)).toBe('POSITIVE');
    expect(matchLabel('"Negative."', LABELS)).toBe('NEGATIVE');
    expect(matchLabel('[NEUTRAL]', LABELS)).toBe('NEUTRAL');
    expect(matchLabel('very-positive', ['VERY_POSITIVE', 'OTHER'])).toBe('VERY_POSITIVE');
  });

  it('accepts an explanation after the label, preferring the longest label', () => {
    expect(matchLabel('POSITIVE - praises the battery', LABELS)).toBe('POSITIVE');
    expect(matchLabel('very positive: loves it', ['VERY', 'VERY POSITIVE'])).toBe('VERY POSITIVE');
  });

  it('refuses answers outside the set, including a label merely mentioned', () => {
    expect(matchLabel('MIXED', LABELS)).toBeNull();
    expect(matchLabel('not POSITIVE', LABELS)).toBeNull();
    expect(matchLabel('POSITIVELY', LABELS)).toBeNull();
    expect(matchLabel('', LABELS)).toBeNull();
  });
});
