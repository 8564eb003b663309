import { describe, expect, it } from 'vitest';
import { bm25Scores } from './bm25-documents.js';

describe('bm25Scores', () => {
  const documents = ['Capital punishment in the United States.', 'Washington is the capital of the United States.', 'Bananas are yellow.'];

  it('scores documents sharing more query terms higher, and one sharing none 0', () => {
    const [punishment, washington, bananas] = bm25Scores('capital of the United States Washington', documents);
    expect(washington!).toBeGreaterThan(punishment!);
    expect(punishment!).toBeGreaterThan(0);
    expect(bananas).toBe(0);
  });

  it('keeps terms every document shares worth something (Lucene idf, not FTS5\'s floor)', () => {
    const scores = bm25Scores('capital', ['The capital.', 'A capital city with a long name and more words.']);
    expect(scores[0]!).toBeGreaterThan(scores[1]!);
    expect(scores[1]!).toBeGreaterThan(0.01);
  });

  it('gives the same scores for documents it has seen before', () => {
    const first = bm25Scores('yellow bananas', documents);
    expect(bm25Scores('yellow bananas', documents)).toEqual(first);
    expect(bm25Scores('yellow bananas', [...documents].reverse())).toEqual([...first].reverse());
  });
});
