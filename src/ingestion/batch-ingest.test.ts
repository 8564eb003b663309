// A batch of files: order kept under concurrency, failures per file, and a stop that starts nothing new.
import { describe, expect, it } from 'vitest';
import { ErrorCode, SiftError } from '../common/errors.js';
import { ingestEach, summarize } from './batch-ingest.js';
import type { IngestResult } from './ingestion.service.js';

const landed = (fileName: string): IngestResult => ({ documentId: `id-${fileName}`, source: fileName, status: 'created', chunkCount: 1 });

describe('ingestEach', () => {
  it('keeps the order of the files when later ones finish first, with at most `concurrency` in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const files = ['a', 'b', 'c', 'd', 'e'].map((fileName, i) => ({ fileName, wait: 5 - i }));
    const outcomes = await ingestEach(
      files,
      async (file) => {
        most = Math.max(most, ++inFlight);
        // Each file yields a different number of turns, so they finish out of order.
        for (let turn = 0; turn < file.wait; turn++) await Promise.resolve();
        inFlight--;
        return landed(file.fileName);
      },
      { concurrency: 3, onUnexpected: () => undefined },
    );
    expect(outcomes.map((o) => o.file)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(most).toBe(3);
  });

  it('turns errors into per-file failures: a SiftError keeps its code, anything else is INTERNAL and reported', async () => {
    const unexpected: string[] = [];
    const outcomes = await ingestEach(
      [{ fileName: 'ok.md' }, { fileName: 'empty.txt' }, { fileName: 'bug.md' }],
      async (file) => {
        if (file.fileName === 'empty.txt') throw new SiftError(ErrorCode.EmptyFile, 'it is empty');
        if (file.fileName === 'bug.md') throw new TypeError('undefined is not a function');
        return landed(file.fileName);
      },
      { onUnexpected: (_, file) => unexpected.push(file.fileName) },
    );
    expect(outcomes[1]).toEqual({ file: 'empty.txt', status: 'failed', error: { code: 'EMPTY_FILE', message: '"empty.txt": it is empty' } });
    expect(outcomes[2]).toMatchObject({ status: 'failed', error: { code: 'INTERNAL' } });
    expect(unexpected).toEqual(['bug.md']);
    expect(summarize(outcomes)).toEqual({ created: 1, updated: 0, unchanged: 0, failed: 2 });
  });

  it('starts no further file once the signal is aborted, and reports the ones that ran', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const outcomes = await ingestEach(
      ['a', 'b', 'c'].map((fileName) => ({ fileName })),
      async (file) => landed(file.fileName),
      { signal: stop.signal, onUnexpected: () => undefined, onOutcome: (outcome) => (seen.push(outcome.file), stop.abort()) },
    );
    expect(outcomes.map((o) => o.file)).toEqual(['a']);
    expect(seen).toEqual(['a']);
  });
});
