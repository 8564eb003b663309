// A kind of job for testing the job facility itself: upper-cases words one by one, each word
// an item, and stops before a chosen word until the test opens its gate, so every state can
// be observed deterministically.
import type { JobRunner } from '../../src/jobs/job-runner.js';
import type { JobContext, JobHandler, JobView, ResumeCheck } from '../../src/jobs/job-types.js';

export interface WordsInput {
  words: string[];
}

/** Upper-cases words one by one; stops before the word at `pauseAt` until `open()` is called. */
export class ShoutHandler implements JobHandler<WordsInput> {
  readonly kind = 'shout';
  pauseAt = -1;
  failWith: Error | null = null;
  resumeCheck: ResumeCheck = { resumable: true };
  readonly completedSeen: string[][] = [];
  readonly released: WordsInput[] = [];
  private gate = Promise.withResolvers<void>();

  open(): void {
    this.gate.resolve();
  }

  async run(input: WordsInput, context: JobContext): Promise<unknown> {
    this.completedSeen.push([...context.completed].sort());
    for (const [index, word] of input.words.entries()) {
      if (context.completed.has(word)) continue;
      if (index === this.pauseAt) await this.gate.promise;
      if (context.signal.aborted) return null;
      if (this.failWith && index === input.words.length - 1) throw this.failWith;
      await context.recordItem({ key: word, ordinal: index, result: { word, shouted: word.toUpperCase() } }, { letters: word.length });
    }
    return { loudest: input.words.map((w) => w.toUpperCase()).join(' ') };
  }

  async checkResumable(): Promise<ResumeCheck> {
    return this.resumeCheck;
  }

  async release(input: WordsInput): Promise<void> {
    this.released.push(input);
  }

  present(input: WordsInput, items: unknown[], result: unknown): Record<string, unknown> {
    return { words: input.words.length, shouted: items, result };
  }
}

/** Polls a job until `holds` is true of it; a guard against hanging, not a timing assertion. */
export async function waitForJob(runner: JobRunner, id: string, holds: (job: JobView) => boolean, withinMs = 10_000): Promise<JobView> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const job = await runner.view(id);
    if (job && holds(job)) return job;
    if (Date.now() > deadline) throw new Error(`job ${id} never reached the expected state; last: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

