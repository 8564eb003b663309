// The rewrite without a model: a follow-up ("and how long does it last?") leans on words
// of earlier turns, so the topic words of the latest user turns are carried into the query.
// A question that names its own topic (several content words, no reference back) is left
// alone, so a change of subject is not dragged back to the old one.
import { analyze } from '../retrieval/lexical-analyzer.js';
import type { ConversationTurn } from './conversation-types.js';

/** Words that point back at something said before. */
const REFERRING = new Set('it its this that these those they them their there he him his she her one ones same such former latter above'.split(' '));
/** Openings of a follow-up. */
const FOLLOW_UP_OPENING = /^\s*(and|also|but|so|what about|how about|and what|then)\b/i;
/** Question words and helpers that say nothing about the topic (the analyzer keeps them). */
const FILLER = new Set(
  ('how what which who whom whose when where why much many long does do did done can could should would may might must shall ' +
    'tell please about also get got give know want need like just more less any some all again really else other thing things ' +
    'yes ok okay thanks thank hi hello').split(' '),
);
/** A question with at most this many topic words is treated as a follow-up. */
const SHORT_QUESTION_TERMS = 2;
const MAX_CARRIED_WORDS = 8;
/** Earlier user turns looked at, latest first. */
const TURNS_LOOKED_AT = 2;

const WORD = /[\p{L}\p{N}]+/gu;

function topicWords(text: string): string[] {
  return (text.match(WORD) ?? []).filter((word) => {
    const lower = word.toLowerCase();
    return !FILLER.has(lower) && !REFERRING.has(lower) && analyze(lower).length > 0;
  });
}

export function isFollowUp(question: string): boolean {
  if (FOLLOW_UP_OPENING.test(question)) return true;
  const words = (question.match(WORD) ?? []).map((word) => word.toLowerCase());
  if (words.some((word) => REFERRING.has(word))) return true;
  return new Set(topicWords(question).flatMap((word) => analyze(word))).size <= SHORT_QUESTION_TERMS;
}

/** The question plus the topic words of the latest user turns it does not already contain. */
export function ruleRewrite(question: string, history: readonly ConversationTurn[]): { query: string; carried: string[] } {
  const earlier = history.filter((turn) => turn.role === 'user').slice(-TURNS_LOOKED_AT).reverse();
  if (earlier.length === 0 || !isFollowUp(question)) return { query: question, carried: [] };
  const present = new Set(analyze(question));
  const carried: string[] = [];
  for (const turn of earlier) {
    for (const word of topicWords(turn.content)) {
      const terms = analyze(word);
      if (terms.every((term) => present.has(term))) continue;
      for (const term of terms) present.add(term);
      carried.push(word);
      if (carried.length === MAX_CARRIED_WORDS) break;
    }
    if (carried.length === MAX_CARRIED_WORDS) break;
  }
  return { query: carried.length > 0 ? `${question} ${carried.join(' ')}` : question, carried };
}
