// Failure modes of the fake model servers, and the small rule book that decides which one a
// request gets. A test switches a mode for the whole fake, for one endpoint or one kind of
// endpoint (`chat`, `embed`), and optionally for the next N requests only; later rules win.

export type FailureMode =
  /** 429 with a Retry-After header (seconds) and the provider's error JSON. */
  | 'rate-limit'
  /** 500 with the provider's error JSON. */
  | 'server-error'
  /** 503: Gemini's "model is overloaded", Ollama's "server busy" (its request queue is full). */
  | 'overloaded'
  /** Waits `delayMs`, then answers normally. */
  | 'slow'
  /** Never answers; the socket stays open until the client gives up or the fake closes. */
  | 'hang'
  /** Starts the answer (headers and the first chunks or half the body), then destroys the socket. */
  | 'cut-stream'
  /** Starts the answer like cut-stream, then sends nothing more and keeps the socket open. */
  | 'stall'
  /** 200 with a body (or a stream event) that is not valid JSON. */
  | 'malformed-json'
  /** 200 with a valid envelope around nonsense: text without ids or citations, vectors of the wrong size. */
  | 'garbage';

export type ModeName = FailureMode | 'normal';

/** Endpoint kinds shared by both fakes, so one rule can target "all chat calls" on either. */
export type EndpointKind = 'chat' | 'embed' | 'meta';

export interface ModeOptions<Endpoint extends string = string> {
  /** Only requests to this endpoint (e.g. `streamGenerateContent`, `chat`) or of this kind. */
  endpoint?: Endpoint | EndpointKind;
  /** Only the next N matching requests; afterwards the rule is spent. Default: until changed. */
  times?: number;
  /** For `rate-limit`: the Retry-After value in seconds (default 1). */
  retryAfterSeconds?: number;
  /** For `slow`: how long to wait before answering (default 1000 ms). */
  delayMs?: number;
  /** For `cut-stream` and `stall`: how many stream events to send first (default: half, at least 1). */
  afterEvents?: number;
  /** For `rate-limit`, `server-error`, `overloaded`: the error message instead of the provider's usual one. */
  message?: string;
}

export interface ActiveMode {
  mode: ModeName;
  retryAfterSeconds: number;
  delayMs: number;
  afterEvents: number | undefined;
  message: string | undefined;
}

interface Rule {
  mode: ModeName;
  options: ModeOptions;
  remaining: number;
}

export const NORMAL_MODE: ActiveMode = { mode: 'normal', retryAfterSeconds: 1, delayMs: 0, afterEvents: undefined, message: undefined };

export class ModeRules {
  private rules: Rule[] = [];

  /**
   * `set('normal')` clears every rule; `set('normal', {endpoint})` clears the rules for that
   * endpoint (or kind); any other call adds a rule, replacing an earlier one for the same target.
   */
  set(mode: ModeName, options: ModeOptions = {}): void {
    const target = options.endpoint;
    if (mode === 'normal' && options.times === undefined) {
      this.rules = target === undefined ? [] : this.rules.filter((rule) => rule.options.endpoint !== target);
      return;
    }
    if (options.times === undefined) this.rules = this.rules.filter((rule) => rule.options.endpoint !== target);
    this.rules.push({ mode, options, remaining: options.times ?? Number.POSITIVE_INFINITY });
  }

  /** The mode for one request to `endpoint` (of `kind`); consumes one use of a counted rule. */
  take(endpoint: string, kind: EndpointKind): ActiveMode {
    for (let i = this.rules.length - 1; i >= 0; i--) {
      const rule = this.rules[i];
      if (!rule) continue;
      const target = rule.options.endpoint;
      if (target !== undefined && target !== endpoint && target !== kind) continue;
      rule.remaining--;
      if (rule.remaining <= 0) this.rules.splice(i, 1);
      return {
        mode: rule.mode,
        retryAfterSeconds: rule.options.retryAfterSeconds ?? 1,
        delayMs: rule.options.delayMs ?? 1000,
        afterEvents: rule.options.afterEvents,
        message: rule.options.message,
      };
    }
    return NORMAL_MODE;
  }
}
