// POST /v1/classify and the classify CLI: texts go to the model in numbered batches, batches
// run in parallel up to CLASSIFY_CONCURRENCY, and every text comes back with exactly one
// label, in input order. Texts whose answer is missing or outside the label set go back to
// the model once (as one smaller batch); what is still not a label is UNKNOWN with the raw
// answer. A batch that fails (after the provider retries) marks only its own texts, so the
// other batches' labels stand and the response says which texts failed.
import { Injectable } from '@nestjs/common';
import pLimit from 'p-limit';
import { AppConfig } from '../../config/app-config.js';
import { ErrorCode, SiftError, isSiftError } from '../../common/errors.js';
import { estimateTokens } from '../../ingestion/chunking/token-estimate.js';
import type { ChatClient } from '../../providers/chat-client.js';
import type { ProviderName, StageModel } from '../../providers/provider-types.js';
import type { UsageMeter } from '../../usage/usage-meter.js';
import type { UsageSummary } from '../../usage/usage-record.js';
import { UsageMeters } from '../../usage/usage-meters.js';
import { GatewayModels } from '../gateway-models.js';
import { callModel } from '../../providers/model-call.js';
import { DEFAULT_LABELS, UNKNOWN_LABEL, classifyMessages, classifySchema } from './classify-prompt.js';
import { matchLabel, parseBatchAnswer } from './parse-labels.js';

export interface ClassifyRequest {
  texts: string[];
  labels?: string[];
  instructions?: string;
  batchSize?: number;
  provider?: ProviderName;
  model?: string;
}

/** A checked request: labels, batch size and the client that will answer. */
export interface ClassifyTask {
  labels: string[];
  instructions?: string;
  batchSize: number;
  client: ChatClient;
}

/** One text's label: an allowed label, or UNKNOWN with the model's raw answer or the batch's error. */
export interface LabelOutcome {
  label: string;
  /** Why the label is UNKNOWN: the answer was not an allowed label, the model skipped the text, or its batch failed. */
  reason?: 'outside-labels' | 'no-answer' | 'batch-failed';
  /** What the model answered, when it was not an allowed label. */
  raw?: string;
  error?: { code: ErrorCode; message: string };
}

export interface Classification extends LabelOutcome {
  index: number;
}

export interface BatchFailure {
  batch: number;
  /** The input indexes of the batch's first and last text. */
  from: number;
  to: number;
  code: ErrorCode;
  message: string;
}

export interface ClassifyResponse {
  model: StageModel;
  labels: string[];
  results: Classification[];
  counts: Record<string, number>;
  summary: { texts: number; batches: number; batchSize: number; labelled: number; unknown: number; retried: number; failedBatches: number };
  failures: BatchFailure[];
  usage: UsageSummary;
}

export interface BatchResult {
  outcomes: LabelOutcome[];
  /** Texts sent a second time because the first answer was not an allowed label. */
  retried: number;
}

export interface ClassifyRunOptions {
  signal?: AbortSignal;
  /** Called after each batch with the texts done so far. */
  onProgress?: (done: number, total: number) => void;
  meter?: UsageMeter;
}

/**
 * The JSON body limit of POST /v1/classify: room for CLASSIFY_MAX_TEXTS texts of
 * CLASSIFY_MAX_TEXT_CHARS (one byte a character, plus quoting) over the usual 1 MB.
 */
export function classifyBodyLimitBytes(config: AppConfig): number {
  const v = config.values;
  return 1024 * 1024 + v.CLASSIFY_MAX_TEXTS * (v.CLASSIFY_MAX_TEXT_CHARS + 16);
}

@Injectable()
export class ClassifyService {
  constructor(
    private readonly config: AppConfig,
    private readonly models: GatewayModels,
    private readonly meters: UsageMeters,
  ) {}

  /** Checks the configurable limits and picks the model; throws a 400 naming the limit. */
  prepare(request: ClassifyRequest): ClassifyTask {
    const v = this.config.values;
    if (request.texts.length > v.CLASSIFY_MAX_TEXTS) {
      throw new SiftError(ErrorCode.TooManyTexts, `${request.texts.length} texts sent; the limit is ${v.CLASSIFY_MAX_TEXTS} per request (CLASSIFY_MAX_TEXTS).`);
    }
    const long = request.texts.findIndex((text) => text.length > v.CLASSIFY_MAX_TEXT_CHARS);
    if (long >= 0) {
      throw new SiftError(ErrorCode.TextTooLong, `texts[${long}] has ${request.texts[long]!.length} characters; the limit is ${v.CLASSIFY_MAX_TEXT_CHARS} (CLASSIFY_MAX_TEXT_CHARS).`);
    }
    return this.task(request);
  }

  /** The task for texts checked elsewhere (the CLI checks each line as it reads it). */
  task(request: Omit<ClassifyRequest, 'texts'>): ClassifyTask {
    const model = this.models.resolve('classify', { provider: request.provider, model: request.model });
    return {
      labels: request.labels ?? [...DEFAULT_LABELS],
      ...(request.instructions ? { instructions: request.instructions } : {}),
      batchSize: request.batchSize ?? this.config.values.CLASSIFY_BATCH_SIZE,
      client: this.models.client('classify', model),
    };
  }

  /** True when a request this size should run as a background job. */
  isLarge(texts: number): boolean {
    return texts > this.config.values.CLASSIFY_SYNC_MAX_TEXTS;
  }

  async classify(task: ClassifyTask, texts: readonly string[], options: ClassifyRunOptions = {}): Promise<ClassifyResponse> {
    const meter = options.meter ?? this.meters.start();
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += task.batchSize) batches.push(texts.slice(i, i + task.batchSize));
    const limit = pLimit(this.config.values.CLASSIFY_CONCURRENCY);
    const failures: BatchFailure[] = [];
    let done = 0;
    let retried = 0;
    const outcomes = await Promise.all(
      batches.map((batch, b) =>
        limit(async (): Promise<LabelOutcome[]> => {
          const from = b * task.batchSize;
          try {
            // A caller that went away: the batches not yet started are not sent either.
            if (options.signal?.aborted) throw new SiftError(ErrorCode.ProviderTimeout, 'The classification was cancelled before this batch was sent.');
            const result = await this.classifyBatch(task, batch, meter, options.signal);
            retried += result.retried;
            return result.outcomes;
          } catch (error) {
            if (!isSiftError(error)) throw error;
            failures.push({ batch: b, from, to: from + batch.length - 1, code: error.code, message: error.message });
            return batch.map(() => ({ label: UNKNOWN_LABEL, reason: 'batch-failed' as const, error: { code: error.code, message: error.message } }));
          } finally {
            done += batch.length;
            options.onProgress?.(done, texts.length);
          }
        }),
      ),
    );
    const results = outcomes.flat().map((outcome, index) => ({ index, ...outcome }));
    const counts: Record<string, number> = Object.fromEntries([...task.labels, UNKNOWN_LABEL].map((label) => [label, 0]));
    for (const result of results) counts[result.label] = (counts[result.label] ?? 0) + 1;
    const unknown = counts[UNKNOWN_LABEL] ?? 0;
    return {
      model: task.client.model,
      labels: task.labels,
      results,
      counts,
      summary: { texts: texts.length, batches: batches.length, batchSize: task.batchSize, labelled: texts.length - unknown, unknown, retried, failedBatches: failures.length },
      failures: failures.sort((a, b) => a.batch - b.batch),
      usage: meter.summary(),
    };
  }

  /**
   * One batch: a model call, then one more for the texts whose answer was not an allowed
   * label. Throws a SiftError when a call fails after the provider retries.
   */
  async classifyBatch(task: ClassifyTask, texts: readonly string[], meter: UsageMeter, signal?: AbortSignal): Promise<BatchResult> {
    const first = await this.ask(task, texts, meter, signal, false);
    const outcomes: LabelOutcome[] = texts.map((_, i) => labelFor(first.get(i + 1), task.labels));
    const again = outcomes.flatMap((outcome, i) => (outcome.label === UNKNOWN_LABEL ? [i] : []));
    if (again.length === 0) return { outcomes, retried: 0 };
    const second = await this.ask(task, again.map((i) => texts[i]!), meter, signal, true);
    again.forEach((i, position) => {
      const outcome = labelFor(second.get(position + 1), task.labels);
      // A retry that skipped the text says less than a first answer outside the set.
      if (outcome.reason !== 'no-answer' || outcomes[i]!.reason === 'no-answer') outcomes[i] = outcome;
    });
    return { outcomes, retried: again.length };
  }

  private async ask(task: ClassifyTask, texts: readonly string[], meter: UsageMeter, signal: AbortSignal | undefined, retry: boolean): Promise<Map<number, string>> {
    const v = this.config.values;
    const labelTokens = Math.max(...task.labels.map((label) => estimateTokens(label)));
    const reply = await callModel(task.client, classifyMessages(task, texts, retry), {
      stage: 'classify',
      meter,
      timeoutMs: v.MODEL_TIMEOUT_MS,
      maxRetries: v.MODEL_MAX_RETRIES,
      jsonSchema: classifySchema(task.labels),
      // Room for {"id": n, "label": "..."} per text, and a cap on a model that rambles.
      maxOutputTokens: texts.length * (24 + 2 * labelTokens) + 64,
      ...(signal ? { signal } : {}),
    });
    return parseBatchAnswer(reply.text, texts.length);
  }
}

function labelFor(answer: string | undefined, labels: readonly string[]): LabelOutcome {
  if (answer === undefined) return { label: UNKNOWN_LABEL, reason: 'no-answer' };
  const label = matchLabel(answer, labels);
  return label ? { label } : { label: UNKNOWN_LABEL, reason: 'outside-labels', raw: answer };
}
