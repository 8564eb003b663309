// The per-request trace every query returns: what ran, how long it took, and anything that
// degraded along the way, so a client can see why an answer looks the way it does. Each stage
// is also an OpenTelemetry span (spans.ts), so the same story reaches Jaeger, Tempo & co.;
// with tracing on, `traceId` names the trace to look for there.
import { wallClockMs } from '../common/wall-clock.js';
import type { Attributes } from '@opentelemetry/api';
import { activeTraceId, addSpanNote, annotateActiveSpan, inSpan, recordSpan, stageAttributes } from './spans.js';

export interface StageTrace {
  stage: string;
  /** When the stage began, in ms after the request's trace began: stages that overlap (lexical and dense) show it. */
  startMs: number;
  ms: number;
  detail?: Record<string, unknown>;
}

export interface QueryTrace {
  stages: StageTrace[];
  notes: string[];
  totalMs: number;
  /** The OpenTelemetry trace id of this request, when tracing is on. */
  traceId?: string;
}

export class TraceRecorder {
  private readonly started = performance.now();
  private readonly stages: StageTrace[] = [];
  private readonly notes: string[] = [];

  /** `attributes` go on every stage's span (the collection). */
  constructor(private readonly attributes: Attributes = {}) {}

  async time<T>(stage: string, run: () => Promise<T>, detail?: (result: T) => Record<string, unknown>): Promise<T> {
    return inSpan(stage, this.attributes, async () => {
      const start = performance.now();
      const result = await run();
      const entry: StageTrace = { stage, startMs: roundMs(start - this.started), ms: roundMs(performance.now() - start) };
      if (detail) {
        const stageDetail = (entry.detail = detail(result));
        annotateActiveSpan(() => stageAttributes(stage, stageDetail));
      }
      this.stages.push(entry);
      return result;
    });
  }

  /** Records a stage timed by the caller, which has just finished it. */
  record(stage: string, ms: number, detail?: Record<string, unknown>): void {
    const now = wallClockMs();
    recordSpan(stage, now - ms, now, { ...this.attributes, ...stageAttributes(stage, detail) });
    const startMs = Math.max(0, performance.now() - this.started - ms);
    this.stages.push({ stage, startMs: roundMs(startMs), ms: roundMs(ms), ...(detail ? { detail } : {}) });
  }

  note(message: string): void {
    // Two stages meeting the same condition (e.g. Redis lost) say it once.
    if (this.notes.includes(message)) return;
    addSpanNote(message);
    this.notes.push(message);
  }

  finish(): QueryTrace {
    const traceId = activeTraceId();
    return { stages: [...this.stages], notes: [...this.notes], totalMs: roundMs(performance.now() - this.started), ...(traceId ? { traceId } : {}) };
  }
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
