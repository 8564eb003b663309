// The ingest CLI's flags: what each one becomes, and the message for each mistake.
import { describe, expect, it } from 'vitest';
import { parseIngestArgs, parseMetadataPair, UsageError } from './cli-args.js';

const parse = (args: string[], env: Record<string, string> = {}) => parseIngestArgs(args, env);

describe('ingest CLI arguments', () => {
  it('takes several paths and repeatable globs and metadata', () => {
    const options = parse(['docs', 'notes/a.md', '-c', 'kb', '--include', '*.md', '--include', '*.pdf', '--exclude', 'drafts', '--metadata', 'team=ops', '--metadata', 'year=2024']);
    expect(options).toMatchObject({
      paths: ['docs', 'notes/a.md'],
      collection: 'kb',
      include: ['*.md', '*.pdf'],
      exclude: ['drafts'],
      metadata: { team: 'ops', year: 2024 },
      dryRun: false,
      deleteMissing: false,
      json: false,
    });
    expect(options).not.toHaveProperty('server');
    expect(options).not.toHaveProperty('concurrency');
  });

  it('reads the switches', () => {
    expect(parse(['docs', '-c', 'kb', '--dry-run', '--delete-missing', '--json', '--concurrency', '8', '--base', '.'])).toMatchObject({
      dryRun: true,
      deleteMissing: true,
      json: true,
      concurrency: 8,
      base: '.',
    });
  });

  it('returns null for --help', () => {
    expect(parse(['--help'])).toBeNull();
  });

  it.each([
    [['docs'], /--collection/],
    [['-c', 'kb'], /at least one file or folder/],
    [['docs', '-c', 'bad name!'], /Collection name/],
    [['docs', '-c', 'kb', '--concurrency', '0'], /--concurrency "0"/],
    [['docs', '-c', 'kb', '--concurrency', 'many'], /whole number from 1 to 64/],
    [['docs', '-c', 'kb', '--metadata', 'team'], /key=value/],
    [['docs', '-c', 'kb', '--metadata', 'a=1', '--metadata', 'a=2'], /given twice/],
    [['docs', '-c', 'kb', '--metadata', 'bad key=1'], /keys use letters/],
    [['docs', '-c', 'kb', '--metadata', '__proto__=x'], /"__proto__" is reserved/],
    [['docs', '-c', 'kb', '--metadata', 'constructor=acme'], /"constructor" is reserved/],
    [['docs', '-c', 'kb', '--server', 'localhost:3000'], /http:\/\/ or https:\/\//],
    [['docs', '-c', 'kb', '--server', 'not a url'], /is not a URL/],
    [['docs', '-c', 'kb', '--api-key', 'k'], /only applies with --server/],
    [['docs', '-c', 'kb', '--server', 'http://localhost:3000', '--dry-run'], /cannot be combined with --server/],
    [['docs', '-c', 'kb', '--frobnicate'], /Unknown option '--frobnicate'/],
  ])('refuses %j with a message that says what to fix', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });

  it('takes the API key for --server from the flag or from SIFT_API_KEY, and trims the URL', () => {
    expect(parse(['docs', '-c', 'kb', '--server', 'http://localhost:3000/', '--api-key', 'k1'])!.server).toEqual({ url: 'http://localhost:3000', apiKey: 'k1' });
    expect(parse(['docs', '-c', 'kb', '--server', 'https://sift.example'], { SIFT_API_KEY: 'k2' })!.server).toEqual({ url: 'https://sift.example', apiKey: 'k2' });
    expect(parse(['docs', '-c', 'kb', '--server', 'http://localhost:3000'])!.server).toEqual({ url: 'http://localhost:3000' });
  });
});

describe('--metadata values', () => {
  it.each([
    ['team=ops', ['team', 'ops']],
    ['pages=12', ['pages', 12]],
    ['ratio=-0.25', ['ratio', -0.25]],
    ['draft=true', ['draft', true]],
    ['public=false', ['public', false]],
    // Spellings a number would lose stay text.
    ['zip=01234', ['zip', '01234']],
    ['version=1.10', ['version', '1.10']],
    ['big=1e3', ['big', '1e3']],
    ['flag=TRUE', ['flag', 'TRUE']],
    ['note=a=b', ['note', 'a=b']],
    ['empty=', ['empty', '']],
  ])('%s is typed sensibly', (pair, expected) => {
    expect(parseMetadataPair(pair)).toEqual(expected);
  });
});
