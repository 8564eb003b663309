// Monthly budgets for model calls. A key's spend is counted per UTC calendar month behind
// `BudgetCounter` (SQLite on one machine now; a shared store later); `BudgetAccount` is what
// a request's usage meter talks to: may it call a model, and what did a call cost.
import { ErrorCode, SiftError } from '../common/errors.js';
import type { Budget } from './api-key.js';

export interface Spend {
  tokens: number;
  usd: number;
}

export interface BudgetCounter {
  spent(keyName: string, period: string): Promise<Spend>;
  add(keyName: string, period: string, spend: Spend): Promise<void>;
}

/** The budget period of an instant: its UTC month, `YYYY-MM`. */
export function budgetPeriod(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** When the period holding `at` ends: the first of the next UTC month. */
export function budgetResetsAt(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

export class BudgetAccount {
  constructor(
    readonly keyName: string,
    readonly budget: Budget,
    private readonly counter: BudgetCounter,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /**
   * Throws BUDGET_EXCEEDED once the month's spend has reached a limit. A call is allowed
   * while any budget is left, so the call that crosses the limit completes (its cost is
   * only known afterwards) and the next one is refused.
   */
  async assertAvailable(what: string): Promise<void> {
    const now = this.clock();
    const spent = await this.counter.spent(this.keyName, budgetPeriod(now));
    const over = this.exceeded(spent);
    if (!over) return;
    const resetsAt = budgetResetsAt(now);
    throw new SiftError(
      ErrorCode.BudgetExceeded,
      `Key "${this.keyName}" has used its monthly model budget (${over}), so ${what} is refused until ${resetsAt.toISOString()}. Search without a model and extractive answers ("generate": false) still work.`,
      { resetsAt: resetsAt.toISOString(), retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)), spent, budget: this.budget },
    );
  }

  async charge(spend: Spend): Promise<void> {
    if (spend.tokens === 0 && spend.usd === 0) return;
    await this.counter.add(this.keyName, budgetPeriod(this.clock()), spend);
  }

  private exceeded(spent: Spend): string | null {
    if (this.budget.tokens !== null && spent.tokens >= this.budget.tokens) return `${spent.tokens} of ${this.budget.tokens} tokens`;
    if (this.budget.usd !== null && spent.usd >= this.budget.usd) return `$${spent.usd.toFixed(4)} of $${this.budget.usd}`;
    return null;
  }
}
