import { describe, expect, it } from 'vitest';
import { isSiftError } from '../common/errors.js';
import { BudgetAccount, budgetPeriod, budgetResetsAt, type BudgetCounter, type Spend } from './budget.js';

class MemoryCounter implements BudgetCounter {
  readonly spend = new Map<string, Spend>();
  async spent(keyName: string, period: string): Promise<Spend> {
    return this.spend.get(`${keyName}/${period}`) ?? { tokens: 0, usd: 0 };
  }
  async add(keyName: string, period: string, spend: Spend): Promise<void> {
    const now = await this.spent(keyName, period);
    this.spend.set(`${keyName}/${period}`, { tokens: now.tokens + spend.tokens, usd: now.usd + spend.usd });
  }
}

async function refusal(account: BudgetAccount): Promise<unknown> {
  return account.assertAvailable('a call').then(
    () => null,
    (error: unknown) => error,
  );
}

describe('budgets', () => {
  it('run per UTC calendar month and reset on the first of the next', () => {
    expect(budgetPeriod(new Date('2026-12-31T23:59:59Z'))).toBe('2026-12');
    expect(budgetResetsAt(new Date('2026-12-31T23:59:59Z')).toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(budgetResetsAt(new Date('2026-02-01T00:00:00Z')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
  });

  it('allow calls while budget is left, then refuse with when it resets', async () => {
    const counter = new MemoryCounter();
    let now = new Date('2026-12-15T12:00:00Z');
    const account = new BudgetAccount('team-a', { tokens: 100, usd: null }, counter, () => now);
    expect(await refusal(account)).toBeNull();
    await account.charge({ tokens: 99, usd: 0.01 });
    expect(await refusal(account)).toBeNull();
    await account.charge({ tokens: 30, usd: 0.01 });
    const error = await refusal(account);
    expect(isSiftError(error) && error.code).toBe('BUDGET_EXCEEDED');
    expect(isSiftError(error) && error.details).toMatchObject({ resetsAt: '2027-01-01T00:00:00.000Z', retryAfterSeconds: 16.5 * 86_400, spent: { tokens: 129 } });
    now = new Date('2027-01-01T00:00:01Z');
    expect(await refusal(account)).toBeNull();
  });

  it('count a USD limit on its own', async () => {
    const account = new BudgetAccount('team-b', { tokens: null, usd: 0.5 }, new MemoryCounter());
    await account.charge({ tokens: 1_000_000, usd: 0.49 });
    expect(await refusal(account)).toBeNull();
    await account.charge({ tokens: 10, usd: 0.02 });
    expect(isSiftError(await refusal(account))).toBe(true);
  });
});
