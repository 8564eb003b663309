// A cheap estimate of how many LLM tokens a text costs, used to size chunks at ingest.
//
// Why not a real tokenizer: this runs on every block, sentence and chunk of every upload, and
// the embedding and generation models each tokenize differently anyway. BPE vocabularies
// give a common word of up to about seven characters one token and split longer words into
// pieces of about five characters, punctuation is usually a token of its own, and CJK text
// costs about a token per character. For English prose this lands near 1.3 tokens per
// word, as real tokenizers do, and errs high for rare long words, the safe side for a limit. One pass over the string; ASCII is
// classified by char code, and only other characters go through a (sticky, non-allocating) regex.

// Sticky: tested in place at `lastIndex`, so no substring is created per character.
const LETTER_MARK_OR_NUMBER = /[\p{L}\p{M}\p{N}]/uy;
const WHITESPACE = /\s/uy;

/** Words up to this length are usually one token in BPE vocabularies. */
const WHOLE_WORD_CHARACTERS = 7;
/** Characters a sub-word token of a longer word covers on average. */
const CHARACTERS_PER_SUBWORD = 5;

export function estimateTokens(text: string): number {
  let tokens = 0;
  let runLength = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      if (isAsciiAlphanumeric(code)) {
        runLength++;
        continue;
      }
      tokens += subwordsIn(runLength);
      runLength = 0;
      if (!isAsciiWhitespace(code)) tokens++;
      continue;
    }
    const codePoint = text.codePointAt(i)!;
    const isCjkCharacter = isCjk(codePoint);
    const isWordCharacter = !isCjkCharacter && matchesAt(LETTER_MARK_OR_NUMBER, text, i);
    const isSpace = !isCjkCharacter && !isWordCharacter && matchesAt(WHITESPACE, text, i);
    if (codePoint > 0xffff) i++; // the low surrogate belongs to this character
    if (isWordCharacter) {
      runLength++;
      continue;
    }
    tokens += subwordsIn(runLength);
    runLength = 0;
    if (!isSpace) tokens++;
  }
  return tokens + subwordsIn(runLength);
}

function matchesAt(pattern: RegExp, text: string, index: number): boolean {
  pattern.lastIndex = index;
  return pattern.test(text);
}

function subwordsIn(runLength: number): number {
  if (runLength === 0) return 0;
  return runLength <= WHOLE_WORD_CHARACTERS ? 1 : Math.ceil(runLength / CHARACTERS_PER_SUBWORD);
}

function isAsciiAlphanumeric(code: number): boolean {
  return (code >= 0x30 && code <= 0x39) || (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

function isAsciiWhitespace(code: number): boolean {
  return code === 0x20 || (code >= 0x09 && code <= 0x0d);
}

/** Han, kana and Hangul: scripts written without spaces, where BPE spends about one token per character. */
function isCjk(codePoint: number): boolean {
  return (
    (codePoint >= 0x3040 && codePoint <= 0x30ff) || // Hiragana, Katakana
    (codePoint >= 0x3400 && codePoint <= 0x4dbf) || // CJK Extension A
    (codePoint >= 0x4e00 && codePoint <= 0x9fff) || // CJK Unified Ideographs
    (codePoint >= 0xac00 && codePoint <= 0xd7af) || // Hangul syllables
    (codePoint >= 0xf900 && codePoint <= 0xfaff) || // CJK Compatibility Ideographs
    (codePoint >= 0x20000 && codePoint <= 0x3134f) // CJK Extensions B-G
  );
}
