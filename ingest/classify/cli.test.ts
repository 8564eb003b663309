// The classify CLI run as `npm run classify` runs it, with the real Gemini client against the
// fake Gemini: JSONL and CSV files, labels in row order beside each row, progress, a failed
// batch that stops the run, and the resume that finishes it without redoing written rows.
import { readFileSync, writeFileSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeFailure, type FakeServer } from '../../test/fakes/fake-behaviour.js';
import { startFakeGemini } from '../../test/fakes/fake-gemini.js';
import { readClassification } from '../../test/fakes/fake-model.js';
import { makeTempDir } from '../../test/helpers/temp-dir.js';
import { runClassifyCli } from './cli.js';

const REVIEWS = ['I love this kettle, it is great', 'The lid arrived broken, terrible', 'It is a kettle with a lid'];
const LABELS = ['POSITIVE', 'NEGATIVE', 'NEUTRAL'];

describe('classify CLI', () => {
  let fake: FakeServer<string>;
  let dir: ReturnType<typeof makeTempDir>;
  let lines: string[];
  let errors: string[];
  const out = { log: (line: string) => lines.push(line), error: (line: string) => errors.push(line) };
  const env = () => ({ DATA_DIR: join(dir.path, 'data'), CLASSIFY_PROVIDER: 'gemini', GOOGLE_API_KEY: 'test-key', GEMINI_BASE_URL: fake.url, MODEL_MAX_RETRIES: '0', CLASSIFY_CONCURRENCY: '3' });
  const run = (...args: string[]) => runClassifyCli(args, env(), out);
  /** The texts the model was asked to label, from the user turns of the Gemini requests. */
  const sentTexts = () =>
    fake.requests
      .filter((request) => request.endpoint === 'generateContent')
      .flatMap((request) => {
        const body = request.body as { contents: Array<{ parts: Array<{ text?: string }> }> };
        const prompt = body.contents.map((content) => content.parts.map((part) => part.text ?? '').join('')).join('\n');
        return readClassification(prompt)?.texts.map((text) => text.text) ?? [];
      });

  beforeAll(async () => {
    fake = await startFakeGemini({ apiKey: 'test-key' });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => {
    dir = makeTempDir('sift-classify-cli-');
    lines = [];
    errors = [];
    fake.setResponder(null);
    fake.clearRequests();
  });
  afterEach(() => dir.remove());

  it('labels every row of a JSONL file in order, beside its fields, with progress and a summary', async () => {
    const input = join(dir.path, 'reviews.jsonl');
    const rows = Array.from({ length: 120 }, (_, i) => ({ id: i, text: `Review ${i}: ${REVIEWS[i % 3]}` }));
    writeFileSync(input, `${rows.map((row) => JSON.stringify(row)).join('\n')}\n{"id": 120}\n`);

    expect(await run(input, '--labels', LABELS.join(','), '--batch-size', '25')).toBe(0);

    const written = readFileSync(join(dir.path, 'reviews.labelled.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(written).toHaveLength(121);
    expect(written.slice(0, 120)).toEqual(rows.map((row, i) => ({ ...row, label: LABELS[i % 3] })));
    expect(written[120]).toEqual({ id: 120, label: 'UNKNOWN', label_error: 'no text in the field "text"' });
    expect(errors.at(-1)).toMatch(/^classified 121\/121 \(100%\)/);
    expect(errors.filter((line) => line.startsWith('classified '))).toHaveLength(5);
    expect(lines[0]).toBe(`121 of 121 rows written to ${join(dir.path, 'reviews.labelled.jsonl')}: POSITIVE 40, NEGATIVE 40, NEUTRAL 40, UNKNOWN 1.`);
    expect(lines.join('\n')).toMatch(/Model gemini:gemini-3\.1-flash-lite: 5 calls, \d+ tokens/);
    // The usage went to the ledger like any server call.
    const ledger = readFileSync(join(dir.path, 'data', 'usage.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    expect(ledger.filter((record) => record.stage === 'classify')).toHaveLength(5);
  });

  it('labels a CSV column and keeps quoted fields intact', async () => {
    const input = join(dir.path, 'tickets.csv');
    writeFileSync(input, 'id,body,team\n1,"Where is my shipping update, please?",ops\n2,"Billing charged me twice,\nfix it",fin\n3,Hello,ops\n');

    expect(await run(input, '--labels', 'BILLING,SHIPPING,OTHER', '--column', 'body', '--label-column', 'topic', '--out', join(dir.path, 'out.csv'))).toBe(0);

    const records = parse(readFileSync(join(dir.path, 'out.csv'), 'utf8'), { columns: true }) as Array<Record<string, string>>;
    expect(records).toEqual([
      { id: '1', body: 'Where is my shipping update, please?', team: 'ops', topic: 'SHIPPING', topic_raw: '', topic_error: '' },
      { id: '2', body: 'Billing charged me twice,\nfix it', team: 'fin', topic: 'BILLING', topic_raw: '', topic_error: '' },
      { id: '3', body: 'Hello', team: 'ops', topic: 'OTHER', topic_raw: '', topic_error: '' },
    ]);
  });

  it('stops at a failed batch with the rows before it written, and a rerun resumes without redoing them', async () => {
    const input = join(dir.path, 'reviews.jsonl');
    const texts = Array.from({ length: 60 }, (_, i) => (i === 33 ? 'poison review' : `Review ${i}: ${REVIEWS[i % 3]}`));
    writeFileSync(input, texts.map((text) => JSON.stringify({ text })).join('\n'));
    fake.setResponder((request) => {
      if (readClassification(request.prompt)?.texts.some((text) => text.text.includes('poison'))) throw new FakeFailure(500);
      return undefined;
    });

    expect(await run(input, '--batch-size', '10')).toBe(1);
    const output = join(dir.path, 'reviews.labelled.jsonl');
    const firstRun = readFileSync(output, 'utf8').trim().split('\n');
    // Batches 0-2 are written; batch 3 (rows 30-39) failed, so nothing from row 31 on is.
    expect(firstRun).toHaveLength(30);
    expect(errors.at(-1)).toMatch(/a batch failed .*PROVIDER_FAILED|a batch failed .*HTTP 500/);
    expect(errors.at(-1)).toContain('resume from row 31');

    // A crash mid-write leaves a cut-off row: the resume drops it.
    appendFileSync(output, '{"text":"Review 30: I lo');
    fake.setResponder(null);
    fake.clearRequests();
    texts[33] = 'Review 33: I love this kettle, it is great';
    writeFileSync(input, texts.map((text) => JSON.stringify({ text })).join('\n'));
    lines = [];
    expect(await run(input, '--batch-size', '10')).toBe(0);

    expect(sentTexts()).toEqual(texts.slice(30));
    const labels = readFileSync(output, 'utf8').trim().split('\n').map((line) => JSON.parse(line).label);
    expect(labels).toEqual(texts.map((text, i) => (i === 33 ? 'POSITIVE' : LABELS[i % 3])));
    expect(lines[0]).toContain('(30 from an earlier run)');
  });

  it('refuses an output file that belongs to another input', async () => {
    const input = join(dir.path, 'a.jsonl');
    writeFileSync(input, '{"text":"one"}\n{"text":"two"}\n');
    writeFileSync(join(dir.path, 'a.labelled.jsonl'), '{"text":"something else","label":"POSITIVE"}\n');
    expect(await run(input)).toBe(2);
    expect(errors.join('\n')).toMatch(/does not match .* at row 1/);
    expect(fake.requests).toHaveLength(0);
  });

  it('explains bad usage', async () => {
    writeFileSync(join(dir.path, 'a.jsonl'), '{"text":"one"}\n');
    expect(await run(join(dir.path, 'a.jsonl'), '--labels', 'ONLY')).toBe(2);
    expect(errors[0]).toMatch(/--labels: give at least two labels/);
    expect(await run(join(dir.path, 'a.txt'))).toBe(2);
    expect(await run()).toBe(2);
    expect(await runClassifyCli(['--help'], {}, out)).toBe(0);
    expect(lines.at(-1)).toMatch(/^Usage: npm run classify/);
  });
});
