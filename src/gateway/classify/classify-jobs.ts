// The `classify` kind of background job: a large POST /v1/classify request, run batch by
// batch through the same ClassifyService as a small one. Each batch's labels are recorded as
// it finishes, so GET /v1/jobs/{id} shows them growing in input order, and a restart
// resumes with exactly the batches not yet done (the texts are part of the job's input).
import { Injectable, type OnModuleInit } from '@nestjs/common';
import pLimit from 'p-limit';
import { AppConfig } from '../../config/app-config.js';
import { ErrorCode, isSiftError } from '../../common/errors.js';
import { JobRunner } from '../../jobs/job-runner.js';
import type { JobContext, JobHandler, JobView, ResumeCheck } from '../../jobs/job-types.js';
import type { StageModel } from '../../providers/provider-types.js';
import { UsageMeters } from '../../usage/usage-meters.js';
import { describeModel, GatewayModels } from '../gateway-models.js';
import { UNKNOWN_LABEL } from './classify-prompt.js';
import { ClassifyService, type BatchFailure, type Classification, type ClassifyTask, type LabelOutcome } from './classify.service.js';

export const CLASSIFY_JOB_KIND = 'classify';

export interface ClassifyJobInput {
  texts: string[];
  labels: string[];
  instructions?: string;
  batchSize: number;
  model: StageModel;
}

/** What one batch leaves in the job store. */
interface BatchItem {
  batch: number;
  outcomes: LabelOutcome[];
}

const keyOf = (batch: number): string => String(batch);

@Injectable()
export class ClassifyJobs implements JobHandler<ClassifyJobInput>, OnModuleInit {
  readonly kind = CLASSIFY_JOB_KIND;

  constructor(
    private readonly runner: JobRunner,
    private readonly classify: ClassifyService,
    private readonly models: GatewayModels,
    private readonly meters: UsageMeters,
    private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.runner.register(this);
  }

  /** Queues a checked request as a job (one item per batch); its view is what 202 answers. */
  start(task: ClassifyTask, texts: string[]): Promise<JobView> {
    const input: ClassifyJobInput = { texts, labels: task.labels, ...(task.instructions ? { instructions: task.instructions } : {}), batchSize: task.batchSize, model: task.client.model };
    const counters = { texts: 0, labelled: 0, unknown: 0, failedTexts: 0, retried: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    return this.runner.submit(this.kind, input, Math.ceil(texts.length / task.batchSize), counters);
  }

  async run(input: ClassifyJobInput, context: JobContext): Promise<void> {
    const task = this.taskOf(input);
    const limit = pLimit(this.config.values.CLASSIFY_CONCURRENCY);
    const batches = Array.from({ length: Math.ceil(input.texts.length / input.batchSize) }, (_, b) => b).filter((b) => !context.completed.has(keyOf(b)));
    await Promise.all(
      batches.map((b) =>
        limit(async () => {
          // A stop takes no new batches; the next start resumes with them.
          if (context.signal.aborted) return;
          const texts = input.texts.slice(b * input.batchSize, (b + 1) * input.batchSize);
          const meter = this.meters.start();
          let outcomes: LabelOutcome[];
          let retried = 0;
          try {
            const result = await this.classify.classifyBatch(task, texts, meter);
            outcomes = result.outcomes;
            retried = result.retried;
          } catch (error) {
            if (!isSiftError(error)) throw error;
            outcomes = texts.map(() => ({ label: UNKNOWN_LABEL, reason: 'batch-failed' as const, error: { code: error.code, message: error.message } }));
          }
          const usage = meter.summary();
          const unknown = outcomes.filter((outcome) => outcome.label === UNKNOWN_LABEL).length;
          const item: BatchItem = { batch: b, outcomes };
          await context.recordItem(
            { key: keyOf(b), ordinal: b, result: item },
            {
              texts: texts.length,
              labelled: texts.length - unknown,
              unknown,
              failedTexts: outcomes.filter((outcome) => outcome.reason === 'batch-failed').length,
              retried,
              inputTokens: usage.stages.reduce((sum, stage) => sum + stage.inputTokens, 0),
              outputTokens: usage.stages.reduce((sum, stage) => sum + stage.outputTokens, 0),
              costUsd: usage.costUsd,
            },
          );
        }),
      ),
    );
  }

  async checkResumable(input: ClassifyJobInput): Promise<ResumeCheck> {
    const offered = this.models.configured.some((model) => describeModel(model) === describeModel(input.model));
    return offered ? { resumable: true } : { resumable: false, reason: `its model ${describeModel(input.model)} is no longer configured` };
  }

  async release(): Promise<void> {
    // Nothing outside the job store to free: the texts are part of the job's input.
  }

  /** The job's labels so far, in input order, in the same shape as a synchronous answer. */
  present(input: ClassifyJobInput, items: unknown[]): Record<string, unknown> {
    const results: Classification[] = [];
    const failures: BatchFailure[] = [];
    const counts: Record<string, number> = Object.fromEntries([...input.labels, UNKNOWN_LABEL].map((label) => [label, 0]));
    for (const { batch, outcomes } of (items as BatchItem[]).toSorted((a, b) => a.batch - b.batch)) {
      const from = batch * input.batchSize;
      outcomes.forEach((outcome, i) => {
        results.push({ index: from + i, ...outcome });
        counts[outcome.label] = (counts[outcome.label] ?? 0) + 1;
      });
      const error = outcomes[0]?.reason === 'batch-failed' ? outcomes[0].error : undefined;
      if (error) failures.push({ batch, from, to: from + outcomes.length - 1, code: error.code ?? ErrorCode.ProviderFailed, message: error.message });
    }
    return { model: input.model, labels: input.labels, texts: input.texts.length, batchSize: input.batchSize, results, counts, failures };
  }

  private taskOf(input: ClassifyJobInput): ClassifyTask {
    return {
      labels: input.labels,
      ...(input.instructions ? { instructions: input.instructions } : {}),
      batchSize: input.batchSize,
      client: this.models.client('classify', this.models.resolve('classify', input.model)),
    };
  }
}
