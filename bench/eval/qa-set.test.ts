import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { scoreQuestion } from './qa-eval.js';
import { DatasetError } from './beir-dataset.js';
import { containsPhrase, isExpectedSource, loadQaSet } from './qa-set.js';

const QUESTION = { question: 'What is the default body size limit?', sources: ['body-parser/README.md'], phrases: ['100kb'] };

describe('QA scoring', () => {
  it('matches phrases ignoring case, backticks and line breaks', () => {
    expect(containsPhrase("Defaults\nto `'100KB'`.", ["to '100kb'"])).toBe(true);
    expect(containsPhrase('Defaults to 100 kb.', ['100kb'])).toBe(false);
  });

  it('counts a nested copy of an expected file, not a different package of a similar name', () => {
    expect(isExpectedSource('express/node_modules/body-parser/README.md', ['body-parser/README.md'])).toBe(true);
    expect(isExpectedSource('raw-body-parser/README.md', ['body-parser/README.md'])).toBe(false);
  });

  it('scores the four hits from the top passages, the answer and its citations', () => {
    const top = [
      { source: 'other/README.md', text: 'Nothing here.', alsoIn: [{ source: 'a/node_modules/body-parser/README.md' }] },
      { source: 'qs/README.md', text: "limit defaults to '100kb'" },
    ];
    expect(scoreQuestion(QUESTION, top, "Defaults to '100kb'. [1]", true, [{ source: 'qs/README.md' }])).toMatchObject({
      searchHit: true, // through alsoIn
      passageHit: true,
      answerHit: true,
      citedHit: false, // the answer cites a file that is not expected
    });
    expect(scoreQuestion(QUESTION, top, 'Not found in the documents.', false, [])).toMatchObject({ answerHit: false, citedHit: false });
  });
});

describe('loadQaSet', () => {
  let dir: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    dir = makeTempDir();
  });
  afterEach(() => dir.remove());

  it('resolves the documents folder against the file and applies defaults', () => {
    writeFileSync(join(dir.path, 'set.json'), JSON.stringify({ name: 'x', documents: '.', questions: [QUESTION] }));
    expect(loadQaSet(join(dir.path, 'set.json'))).toMatchObject({ name: 'x', documentsDir: dir.path, include: '**/*', questions: [QUESTION] });
  });

  it('refuses a file that is not a QA set, naming the field', () => {
    writeFileSync(join(dir.path, 'bad.json'), JSON.stringify({ name: 'x', documents: '.', questions: [{ question: 'q', sources: [] , phrases: ['p'] }] }));
    expect(() => loadQaSet(join(dir.path, 'bad.json'))).toThrow(DatasetError);
    expect(() => loadQaSet(join(dir.path, 'bad.json'))).toThrow(/questions\.0\.sources/);
    expect(() => loadQaSet(join(dir.path, 'missing.json'))).toThrow(/no such file/);
  });
});
