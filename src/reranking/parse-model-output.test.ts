import { describe, expect, it } from 'vitest';
import { parseGrades, parseRanking } from './parse-model-output.js';

describe('parseRanking', () => {
  it.each([
    ['{"ranking": [3, 1, 2]}', [3, 1, 2]],
    ['[3, 1, 2]', [3, 1, 2]],
    ['Here is my ranking:\n```json\n{"ids": [2, 3, 1]}\n```\nHope it helps.', [2, 3, 1]],
    ['Sure! The order is {"ranking": ["3", "1"]} based on relevance.', [3, 1]],
    ['[3] > [1] > [2]', [3, 1, 2]],
    ['3, 1, 2', [3, 1, 2]],
    ['3 > 1 > 2', [3, 1, 2]],
    ['1. [12]\n2. [10]\n3. [11]', [12, 10, 11]],
  ])('reads %j', (text, expected) => {
    expect(parseRanking(text, 12)).toEqual(expected);
  });

  it('keeps multi-digit ids and drops ids out of range and duplicates', () => {
    expect(parseRanking('[15] > [4] > [15] > [40] > [0] > [9]', 20)).toEqual([15, 4, 9]);
    expect(parseRanking('{"ranking": [2, 2, 7, 1]}', 3)).toEqual([2, 1]);
  });

  it('yields nothing for an empty answer or nonsense, even nonsense with digits in it', () => {
    expect(parseRanking('', 5)).toEqual([]);
    expect(parseRanking('wobble flange quixotic ~~ %% ??', 5)).toEqual([]);
    expect(parseRanking('I think passage 2 matters most, around 3 times more.', 5)).toEqual([]);
    expect(parseRanking('{"answer": "no idea"}', 5)).toEqual([]);
  });
});

describe('parseGrades', () => {
  it('reads JSON arrays of objects, JSON maps and "[id]: grade" lines', () => {
    expect([...parseGrades('{"grades": [{"id": 1, "grade": 3}, {"id": 2, "grade": 0}]}', 3)]).toEqual([[1, 3], [2, 0]]);
    expect([...parseGrades('{"1": 2, "3": 1}', 3)]).toEqual([[1, 2], [3, 1]]);
    expect([...parseGrades('[1]: 3\n[2]: 1\nPassage 3: 2', 3)]).toEqual([[1, 3], [2, 1], [3, 2]]);
  });

  it('clamps grades, drops unknown ids and ignores nonsense', () => {
    expect([...parseGrades('[1]: 7\n[9]: 2', 3)]).toEqual([[1, 3]]);
    expect(parseGrades('wobble flange ~~ %% ??', 3).size).toBe(0);
  });
});
