// The README's walk-through, run as written: its commands are read from the README (between
// the walkthrough markers), run by bash from the repository root against a booted server,
// and each answer is checked against the shape the README shows after it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSift, type RunningSift } from '../helpers/sift-server.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The commands of the walk-through block, each joined across its continuation lines. */
function walkthroughCommands(): string[] {
  const block = /<!-- walkthrough:start[^>]*-->\s*```bash\n([\s\S]*?)```\s*<!-- walkthrough:end -->/.exec(README);
  if (!block) throw new Error('README.md has no walkthrough block');
  const commands: string[] = [];
  let current = '';
  for (const line of block[1]!.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    current += `${line.replace(/\\$/, '')} `;
    if (!line.endsWith('\\')) {
      commands.push(current.trim());
      current = '';
    }
  }
  return commands;
}

describe('the README walk-through', () => {
  let sift: RunningSift;

  beforeAll(async () => {
    sift = await startSift();
  });
  afterAll(async () => {
    await sift.stop();
  });

  it('runs as written from the repository root and answers as shown', async () => {
    const commands = walkthroughCommands();
    expect(commands).toHaveLength(3);
    const answers = [];
    // One after another, as a reader runs them; the server shares this process, so asynchronously.
    for (const command of commands) {
      expect(command).toContain('http://localhost:3000/');
      const { stdout } = await run('bash', ['-euo', 'pipefail', '-c', command.replaceAll('http://localhost:3000', sift.url)], { cwd: REPO, encoding: 'utf8' });
      answers.push(JSON.parse(stdout));
    }
    const [upload, search, ask] = answers;
    expect(upload).toMatchObject({ collection: 'handbook', summary: { created: 3, updated: 0, unchanged: 0, failed: 0 } });
    expect(upload.documents.map((document: { file: string; status: string }) => [document.file, document.status])).toEqual([
      ['travel.md', 'created'],
      ['kitchen.html', 'created'],
      ['notes.txt', 'created'],
    ]);
    expect(search).toMatchObject({ query: 'hotel reimbursement per night', retrieval: 'lexical' });
    expect(search.results[0]).toMatchObject({ rank: 1, source: 'travel.md', headingPath: ['Travel handbook', 'Expenses'] });
    expect(search.results[0].text).toContain('Hotel stays are reimbursed up to 180 euros');
    expect(ask).toMatchObject({ found: true, mode: 'extractive', citations: expect.arrayContaining([expect.objectContaining({ n: 1, source: 'travel.md', headingPath: ['Travel handbook', 'Expenses'] })]) });
    expect(ask.answer).toMatch(/^Hotel stays are reimbursed up to 180 euros per night\. \[1\]/);
    expect(ask.note).toMatch(/^Extractive answer: /);
  });
});
