import { describe, expect, it } from 'vitest';
import { ErrorCode, SiftError } from '../common/errors.js';
import { MAX_SOURCE_NAME_LENGTH, assertDistinctSourceNames, sanitizeSourceName } from './source-name.js';

function rejectionOf(raw: string): SiftError {
  try {
    sanitizeSourceName(raw);
  } catch (error) {
    if (error instanceof SiftError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

describe('sanitizeSourceName', () => {
  it('keeps a plain file name and a relative folder path as they are', () => {
    expect(sanitizeSourceName('guide.md')).toBe('guide.md');
    expect(sanitizeSourceName('docs/setup/guide.md')).toBe('docs/setup/guide.md');
  });

  it('normalises spellings of the same relative path to one name', () => {
    expect(sanitizeSourceName('docs\\setup\\guide.md')).toBe('docs/setup/guide.md');
    expect(sanitizeSourceName('./docs/guide.md')).toBe('docs/guide.md');
    expect(sanitizeSourceName('././docs/guide.md')).toBe('docs/guide.md');
    expect(sanitizeSourceName('.\\docs\\guide.md')).toBe('docs/guide.md');
    expect(sanitizeSourceName('docs//setup///guide.md')).toBe('docs/setup/guide.md');
    expect(sanitizeSourceName('  guide.md \n')).toBe('guide.md');
  });

  it('NFC-normalises so that composed and decomposed accents give the same name', () => {
    const decomposed = 'cafe\u0301.md';
    expect(sanitizeSourceName(decomposed)).toBe('caf\u00e9.md');
    expect(sanitizeSourceName(decomposed)).toBe(sanitizeSourceName('caf\u00e9.md'));
  });

  it('keeps dots that are part of a name', () => {
    expect(sanitizeSourceName('..hidden/notes..md')).toBe('..hidden/notes..md');
    expect(sanitizeSourceName('.github/README.md')).toBe('.github/README.md');
  });

  it.each(['../secret.md', 'docs/../../etc/passwd', 'docs/..', '..\\secret.md'])(
    'rejects the parent-folder segment in %j',
    (raw) => {
      const error = rejectionOf(raw);
      expect(error.code).toBe(ErrorCode.InvalidSourceName);
      expect(error.message).toContain('".."');
    },
  );

  it.each(['/etc/passwd', '\\\\server\\share\\a.md', 'C:\\docs\\a.md', 'c:/docs/a.md', '//server/x.md', 'C:a.md'])(
    'rejects the absolute path %j',
    (raw) => {
      const error = rejectionOf(raw);
      expect(error.code).toBe(ErrorCode.InvalidSourceName);
      expect(error.message).toContain('absolute path');
    },
  );

  it.each(['', '   ', './', './/'])('rejects %j as empty', (raw) => {
    expect(rejectionOf(raw).message).toContain('is empty');
  });

  it.each(['a\u0000b.md', 'a\nb.md', 'a\tb.md', 'a\u001bb.md', 'a\u007fb.md', 'a\u0085b.md'])(
    'rejects the control character in %j and shows it escaped',
    (raw) => {
      const error = rejectionOf(raw);
      expect(error.message).toContain('control character');
      expect(error.message).not.toMatch(/\p{Cc}/u);
    },
  );

  it.each([
    ['invoice\u202Etxt.exe.md', 'U+202E'],
    ['guide\u200B.md', 'U+200B'],
    ['\uFEFFnotes.md', 'U+FEFF'],
    ['a\u2066b\u2069.md', 'U+2066'],
    ['soft\u00ADhyphen.md', 'U+00AD'],
    ['line\u2028break.md', 'U+2028'],
    ['private\uE000.md', 'U+E000'],
    ['lone\uD800.md', 'U+D800'],
  ])('rejects the hidden or direction-changing character in %j and names it', (raw, shown) => {
    const error = rejectionOf(raw);
    expect(error.code).toBe(ErrorCode.InvalidSourceName);
    expect(error.message).toContain(shown);
    expect(error.message).not.toMatch(/[\p{Cf}\p{Zl}\p{Co}\p{Cs}]/u);
  });

  it('keeps letters of every script, accents and emoji', () => {
    for (const name of ['Zürich/café.md', 'журнал.md', '東京.txt', 'نکته.md', '😀.md']) expect(sanitizeSourceName(name)).toBe(name);
  });

  it('rejects a name that names a folder', () => {
    expect(rejectionOf('docs/').message).toContain('ends with "/"');
    expect(rejectionOf('docs\\').message).toContain('ends with "/"');
  });

  it('rejects a "." segment in the middle rather than guessing', () => {
    expect(rejectionOf('docs/./guide.md').message).toContain('"." segment');
  });

  it('accepts a name of exactly the maximum length and rejects one character more', () => {
    const longest = `${'a'.repeat(MAX_SOURCE_NAME_LENGTH - 3)}.md`;
    expect(sanitizeSourceName(longest)).toBe(longest);
    const error = rejectionOf(`a${longest}`);
    expect(error.message).toContain(`is ${MAX_SOURCE_NAME_LENGTH + 1} characters long`);
  });

  it('counts length in characters, not UTF-16 units', () => {
    const emojiName = `${'😀'.repeat(MAX_SOURCE_NAME_LENGTH - 3)}.md`;
    expect(sanitizeSourceName(emojiName)).toBe(emojiName);
  });

  it('tells the client what to do in every rejection', () => {
    for (const raw of ['../a.md', '/a.md', '', 'a\u0000.md', 'docs/', 'x'.repeat(600)]) {
      expect(rejectionOf(raw).message).toMatch(/; (use|send|give|remove|add)/);
    }
  });
});

describe('assertDistinctSourceNames', () => {
  it('refuses the same name twice, and two spellings of one name, naming them', () => {
    expect(() => assertDistinctSourceNames(['a.md', 'b.md', 'a.md'])).toThrow(expect.objectContaining({ code: ErrorCode.DuplicateFileName, message: expect.stringContaining('"a.md" (2 times)') }));
    expect(() => assertDistinctSourceNames(['docs/a.md', './docs//a.md'])).toThrow(expect.objectContaining({ message: expect.stringContaining('"docs/a.md" (2 times: "docs/a.md", "./docs//a.md")') }));
  });

  it('lets distinct names and names that are invalid on their own pass', () => {
    expect(() => assertDistinctSourceNames(['a.md', 'A.md', 'b/a.md', '../x.md', '../x.md'])).not.toThrow();
  });
});
