import { describe, expect, it } from 'vitest';
import {
  bestSentence,
  classifyText,
  contentTerms,
  cosineSimilarity,
  countTokens,
  embedText,
  fillSchema,
  garbageText,
  notFoundPhraseIn,
  rankPassages,
  readClassification,
  readPrompt,
  renderOutput,
  splitIntoChunks,
  think,
  truncateToTokens,
} from './fake-model.js';

const ragPrompt = [
  'Answer the question using only the numbered passages. Cite passages as [n].',
  '',
  'Passages:',
  '[1] The Eiffel Tower is in Paris. The Eiffel Tower was completed in 1889.',
  '[2] Photosynthesis turns light into chemical energy.',
  'Plants store that energy as sugar.',
  '[3] Mount Everest is the highest mountain on Earth.',
  '',
  'Question: When was the Eiffel Tower completed?',
].join('\n');

const input = (prompt: string) => ({ prompt, json: false, imageCount: 0 });

describe('words and tokens', () => {
  it('stems content words and drops stop words', () => {
    expect(contentTerms('The running dogs were barking')).toEqual(['run', 'dog', 'bark']);
  });

  it('keeps stop words when a text has nothing else', () => {
    expect(contentTerms('what is it')).toEqual(['what', 'is', 'it']);
  });

  it('counts one token per word or punctuation mark', () => {
    expect(countTokens('Hello, world!')).toBe(4);
    expect(countTokens('')).toBe(0);
  });

  it('truncates after a number of tokens and says so', () => {
    expect(truncateToTokens('one two three four', 2)).toEqual({ text: 'one two', truncated: true });
    expect(truncateToTokens('one two', 5)).toEqual({ text: 'one two', truncated: false });
    expect(truncateToTokens('one two', undefined)).toEqual({ text: 'one two', truncated: false });
  });

  it('splits text into chunks that join back to the text', () => {
    const text = 'a b c d e f g h i j';
    const chunks = splitIntoChunks(text, 4);
    expect(chunks.length).toBe(4);
    expect(chunks.join('')).toBe(text);
    expect(splitIntoChunks('single', 4)).toEqual(['single']);
  });
});

describe('embeddings', () => {
  it('are unit vectors of the requested dimension', () => {
    const vector = embedText('hybrid retrieval with reranking', 64);
    expect(vector).toHaveLength(64);
    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
  });

  it('are deterministic', () => {
    expect(embedText('same text')).toEqual(embedText('same text'));
  });

  it('put texts that share words closer than texts that do not', () => {
    const query = embedText('how do solar panels generate electricity');
    const related = embedText('Solar panels generate electricity from sunlight');
    const unrelated = embedText('The recipe needs flour, eggs and butter');
    expect(cosineSimilarity(query, related)).toBeGreaterThan(cosineSimilarity(query, unrelated) + 0.3);
  });

  it('match word forms through stemming', () => {
    expect(cosineSimilarity(embedText('mutations'), embedText('mutation'))).toBeCloseTo(1, 10);
  });

  it('give an empty text a valid unit vector', () => {
    expect(Math.hypot(...embedText('', 32))).toBeCloseTo(1, 10);
  });
});

describe('reading a prompt', () => {
  it('finds numbered passages, their continuation lines and the question', () => {
    // A passage runs on until a blank line, the next [n] or a labelled line like "Question:".
    const reading = readPrompt(ragPrompt);
    expect(reading.passages.map((p) => p.id)).toEqual([1, 2, 3]);
    expect(reading.passages[1]?.text).toBe('Photosynthesis turns light into chemical energy.\nPlants store that energy as sugar.');
    expect(reading.question).toBe('When was the Eiffel Tower completed?');
  });

  it('takes the last line ending in "?" as the question when none is labelled', () => {
    expect(readPrompt('[1] Cats purr.\n\nWhy do cats purr?').question).toBe('Why do cats purr?');
  });

  it('finds the not-found phrase a prompt asks for', () => {
    expect(notFoundPhraseIn('If the passages do not answer it, reply exactly "I don\'t know".')).toBe("I don't know");
    expect(notFoundPhraseIn('Answer briefly.')).toBeUndefined();
  });
});

describe('the default model', () => {
  it('answers with the best matching sentence and cites its passage', () => {
    const output = think(input(ragPrompt));
    expect(output.skill).toBe('answer');
    expect(output.text).toBe('The Eiffel Tower was completed in 1889 [1].');
  });

  it('prefers the sentence sharing most question words', () => {
    const passages = [
      { id: 4, text: 'Tower visits are popular. The Eiffel Tower was completed in 1889.' },
      { id: 7, text: 'Eiffel designed bridges.' },
    ];
    expect(bestSentence('When was the Eiffel Tower completed?', passages)).toEqual({
      sentence: 'The Eiffel Tower was completed in 1889.',
      passageId: 4,
      score: 3,
    });
  });

  it('answers exactly the not-found phrase when nothing overlaps', () => {
    const prompt = ragPrompt.replace('When was the Eiffel Tower completed?', 'Who painted Guernica?');
    expect(think(input(prompt)).text).toBe('NOT_FOUND');
    expect(think(input(prompt), { notFoundAnswer: 'No answer in the documents.' }).text).toBe('No answer in the documents.');
    const asking = `${prompt}\nIf the passages do not contain the answer, reply "NOT IN CONTEXT".`;
    expect(think(input(asking)).text).toBe('NOT IN CONTEXT');
  });

  it('orders passage ids by overlap for a rerank prompt, keeping prompt order on ties', () => {
    const prompt = [
      'Rank the passages by relevance to the question. Answer with the ids, most relevant first.',
      '[1] Bananas are yellow.',
      '[2] Solar panels convert sunlight into electricity.',
      '[3] Panels of experts met.',
      '[4] Apples are red.',
      'Question: how do solar panels make electricity?',
    ].join('\n');
    const output = think(input(prompt));
    expect(output.skill).toBe('rerank');
    expect(output.text).toBe('[2] > [3] > [1] > [4]');
    expect(rankPassages('solar panels', [{ id: 10, text: 'none' }, { id: 11, text: 'solar' }])).toEqual([11, 10]);
  });

  it('decides the kind of answer from the instructions, not from passage text', () => {
    const prompt = 'Answer and cite [n].\n[1] The reranker ranks passages.\n[2] SQLite stores vectors.\nQuestion: where are vectors stored?';
    expect(think(input(prompt)).text).toBe('SQLite stores vectors [2].');
  });

  it('grades passages for a grading prompt', () => {
    const prompt = 'Grade each passage from 0 to 3 for relevance.\n[1] Solar panels make electricity.\n[2] Bananas.\nQuestion: solar panels electricity';
    const output = think(input(prompt));
    expect(output.skill).toBe('grade');
    expect(output.text).toBe('[1]: 3\n[2]: 0');
  });

  it('echoes a prompt without passages', () => {
    expect(think(input('Hello there, model?')).text).toBe('You said: Hello there, model?');
  });
});

describe('JSON answers', () => {
  const rerankPrompt = 'Rerank these.\n[1] cats\n[2] dogs and cats\nQuestion: dogs cats';

  it('fills a schema asking for a list of ids with the ranking', () => {
    const schema = { type: 'object', properties: { ranking: { type: 'array', items: { type: 'integer' } } } };
    expect(renderOutput(think(input(rerankPrompt)), { json: true, schema })).toBe('{"ranking":[2,1]}');
  });

  it('fills an {answer, citations} schema from an extracted answer', () => {
    const schema = {
      type: 'OBJECT',
      properties: { answer: { type: 'STRING' }, citations: { type: 'ARRAY', items: { type: 'INTEGER' } } },
    };
    const value = fillSchema(schema, think(input(ragPrompt)));
    expect(value).toEqual({ answer: 'The Eiffel Tower was completed in 1889 [1].', citations: [1] });
  });

  it('fills a list of {id, grade} objects from grades', () => {
    const prompt = 'Score each passage for relevance.\n[1] solar power\n[2] bananas\nQuestion: solar power';
    const schema = {
      type: 'array',
      items: { type: 'object', properties: { id: { type: 'integer' }, grade: { type: 'integer' } } },
    };
    expect(fillSchema(schema, think(input(prompt)))).toEqual([
      { id: 1, grade: 3 },
      { id: 2, grade: 0 },
    ]);
  });

  it('answers plain JSON when no schema is given', () => {
    expect(JSON.parse(renderOutput(think(input(rerankPrompt)), { json: true, schema: undefined }))).toEqual([2, 1]);
  });
});

describe('classification', () => {
  const prompt = [
    'You are a text classifier. Give every numbered text exactly one label.',
    'Labels: POSITIVE, NEGATIVE, NEUTRAL',
    'Instructions: sort the reviews by mood',
    'Texts:',
    '[1] I love this kettle, it is great',
    '[2] The lid arrived broken, terrible',
    '[3] It is a kettle',
  ].join('\n');

  it('labels each numbered text from the Labels line, before any rank wording in the instructions', () => {
    const output = think(input(prompt));
    expect(output.skill).toBe('classify');
    expect(output.text).toBe('1: POSITIVE\n2: NEGATIVE\n3: NEUTRAL');
    expect(readClassification(prompt)?.labels).toEqual(['POSITIVE', 'NEGATIVE', 'NEUTRAL']);
  });

  it('prefers a label the text names, and falls back to the last label', () => {
    expect(classifyText('Where is my shipping update?', ['BILLING', 'SHIPPING', 'OTHER'])).toBe('SHIPPING');
    expect(classifyText('Hello', ['BILLING', 'SHIPPING', 'OTHER'])).toBe('OTHER');
  });

  it('fills a {labels: [{id, label}]} schema', () => {
    const schema = {
      type: 'object',
      properties: { labels: { type: 'array', items: { type: 'object', properties: { id: { type: 'integer' }, label: { type: 'string', enum: ['POSITIVE', 'NEGATIVE', 'NEUTRAL'] } } } } },
    };
    expect(fillSchema(schema, think(input(prompt)))).toEqual({
      labels: [
        { id: 1, label: 'POSITIVE' },
        { id: 2, label: 'NEGATIVE' },
        { id: 3, label: 'NEUTRAL' },
      ],
    });
  });
});

describe('garbage', () => {
  it('is deterministic text with no ids, citations or JSON', () => {
    const text = garbageText('seed');
    expect(text).toBe(garbageText('seed'));
    expect(text).not.toMatch(/\d|\[|\{/);
  });
});
