import { describe, expect, it } from 'vitest';
import { isFollowUp, ruleRewrite } from './rule-rewrite.js';
import { readRewrite } from './rewrite-prompt.js';

const history = [
  { role: 'user' as const, content: 'What is the parental leave policy?' },
  { role: 'assistant' as const, content: 'Parents get paid leave after a birth or adoption [1].' },
];

describe('ruleRewrite', () => {
  it('carries the topic words of the latest user turn into a follow-up', () => {
    const rewrite = ruleRewrite('and how long does it last?', history);
    expect(rewrite.carried).toEqual(['parental', 'leave', 'policy']);
    expect(rewrite.query).toBe('and how long does it last? parental leave policy');
  });

  it('leaves a question that names its own topic alone', () => {
    expect(ruleRewrite('What is the hotel reimbursement limit per night in Berlin?', history)).toEqual({
      query: 'What is the hotel reimbursement limit per night in Berlin?',
      carried: [],
    });
  });

  it('does not repeat words the question already has, and looks only at user turns', () => {
    const rewrite = ruleRewrite('Does that leave include fathers?', history);
    expect(rewrite.carried).toEqual(['parental', 'policy']);
    expect(rewrite.carried).not.toContain('adoption');
  });

  it('needs an earlier user turn', () => {
    expect(ruleRewrite('and then?', [{ role: 'assistant', content: 'Hello' }]).carried).toEqual([]);
  });

  it('tells follow-ups from standalone questions', () => {
    expect(isFollowUp('What about Berlin?')).toBe(true);
    expect(isFollowUp('Is it refundable?')).toBe(true);
    expect(isFollowUp('How long is the parental leave for adoptive parents?')).toBe(false);
  });
});

describe('readRewrite', () => {
  it('takes the first line without labels or quotes', () => {
    expect(readRewrite('\n"How long does parental leave last?"\nBecause…', 200)).toBe('How long does parental leave last?');
    expect(readRewrite('Standalone query: parental leave duration', 200)).toBe('parental leave duration');
  });

  it('refuses an empty or overlong answer', () => {
    expect(readRewrite('  \n ', 200)).toBeNull();
    expect(readRewrite('x'.repeat(201), 200)).toBeNull();
  });
});
