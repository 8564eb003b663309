// A question-answering set over a folder of documents: each question names the files that
// answer it and the key phrases a good passage or answer contains. Read and checked here, so
// the evaluation itself trusts its input.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { DatasetError } from './beir-dataset.js';

const QA_FILE = z.object({
  name: z.string().min(1),
  description: z.string().optional(),
  /** The documents' folder, relative to the QA file. */
  documents: z.string().min(1),
  /** Which files under `documents` are ingested (a picomatch glob, matched without case). */
  include: z.string().min(1).default('**/*'),
  questions: z
    .array(
      z.object({
        question: z.string().min(1),
        /** Paths under `documents`; a nested copy (`x/node_modules/<path>`) counts as the same file. */
        sources: z.array(z.string().min(1)).min(1),
        /** Any one of them in a passage or answer counts as a hit. */
        phrases: z.array(z.string().min(1)).min(1),
      }),
    )
    .min(1),
});

export type QaQuestion = z.infer<typeof QA_FILE>['questions'][number];

export interface QaSet {
  name: string;
  documentsDir: string;
  include: string;
  questions: QaQuestion[];
}

export function loadQaSet(file: string): QaSet {
  if (!existsSync(file)) throw new DatasetError(file, 'no such file; pass --qa <file> naming a QA set (see bench/qa/)');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new DatasetError(file, `not valid JSON: ${(error as Error).message}`);
  }
  const parsed = QA_FILE.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new DatasetError(file, `${issue.path.join('.') || 'the file'}: ${issue.message}`);
  }
  const documentsDir = isAbsolute(parsed.data.documents) ? parsed.data.documents : resolve(dirname(file), parsed.data.documents);
  if (!existsSync(documentsDir) || !statSync(documentsDir).isDirectory()) {
    throw new DatasetError(file, `the documents folder ${documentsDir} does not exist`);
  }
  return { name: parsed.data.name, documentsDir, include: parsed.data.include, questions: parsed.data.questions };
}

/** Case, backticks and line breaks do not decide a match: the same words are the same phrase. */
export function normalizeForMatch(text: string): string {
  return text.toLowerCase().replaceAll('`', '').replace(/\s+/g, ' ');
}

export function containsPhrase(text: string, phrases: readonly string[]): boolean {
  const haystack = normalizeForMatch(text);
  return phrases.some((phrase) => haystack.includes(normalizeForMatch(phrase)));
}

/** A retrieved source answers for an expected one when it is that file or a nested copy of it. */
export function isExpectedSource(source: string, expected: readonly string[]): boolean {
  const lower = source.toLowerCase();
  return expected.some((path) => {
    const want = path.toLowerCase();
    return lower === want || lower.endsWith(`/node_modules/${want}`);
  });
}
