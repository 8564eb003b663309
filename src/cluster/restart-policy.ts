// When a worker dies, the primary starts another in its place, unless workers keep dying:
// more than `maxDeaths` deaths within `windowMs` is a crash loop (a bad disk, a broken
// dependency), and restarting would only spin.
export class RestartPolicy {
  private readonly deaths: number[] = [];

  constructor(
    private readonly maxDeaths = 5,
    private readonly windowMs = 60_000,
  ) {}

  /** Records a death at `now` (ms); true when the worker should be replaced. */
  allowRestart(now: number): boolean {
    this.deaths.push(now);
    while (this.deaths[0]! <= now - this.windowMs) this.deaths.shift();
    return this.deaths.length <= this.maxDeaths;
  }

  /** Deaths within the window, for the log line that gives up. */
  get recentDeaths(): number {
    return this.deaths.length;
  }
}
