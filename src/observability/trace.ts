// The per-request trace every query returns: what ran, how long it took, and anything that
// degraded along the way, so a client can see why an answer looks the way it does.

export interface StageTrace {
  stage: string;
  ms: number;
  detail?: Record<string, unknown>;
}

export interface QueryTrace {
  stages: StageTrace[];
  notes: string[];
  totalMs: number;
}

export class TraceRecorder {
  private readonly started = performance.now();
  private readonly stages: StageTrace[] = [];
  private readonly notes: string[] = [];

  async time<T>(stage: string, run: () => Promise<T>, detail?: (result: T) => Record<string, unknown>): Promise<T> {
    const start = performance.now();
    const result = await run();
    const entry: StageTrace = { stage, ms: roundMs(performance.now() - start) };
    if (detail) entry.detail = detail(result);
    this.stages.push(entry);
    return result;
  }

  /** Records a stage timed by the caller (synchronous work). */
  record(stage: string, ms: number, detail?: Record<string, unknown>): void {
    this.stages.push({ stage, ms: roundMs(ms), ...(detail ? { detail } : {}) });
  }

  note(message: string): void {
    this.notes.push(message);
  }

  finish(): QueryTrace {
    return { stages: [...this.stages], notes: [...this.notes], totalMs: roundMs(performance.now() - this.started) };
  }
}

function roundMs(ms: number): number {
  return Math.round(ms * 100) / 100;
}
