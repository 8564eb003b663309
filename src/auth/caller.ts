// Who is calling: the key a request presented, as the rest of the request sees it. It
// travels with the request in an AsyncLocalStorage, so the usage meter of any stage can
// charge the right key without every service passing it along.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RateLimit } from './api-key.js';
import type { BudgetAccount } from './budget.js';
import { CollectionScope } from './collection-scope.js';
import type { Role } from './roles.js';

export interface Caller {
  /** The key's name as the ledger records it; null on a server without keys. */
  keyName: string | null;
  role: Role;
  scope: CollectionScope;
  rateLimit: RateLimit | null;
  /** The key's monthly model budget, when it has one. */
  budget: BudgetAccount | null;
}

/** A server without any keys is open: every request acts as an unnamed admin. */
export const OPEN_CALLER: Caller = { keyName: null, role: 'admin', scope: CollectionScope.ALL, rateLimit: null, budget: null };

interface CallContext {
  caller: Caller | null;
}

const context = new AsyncLocalStorage<CallContext>();

/** Runs `next` (the rest of a request) with a slot for its caller. */
export function withCallContext<T>(next: () => T): T {
  return context.run({ caller: null }, next);
}

/** Runs `work` as `caller`, e.g. a background job on behalf of the key that started it. */
export function runAsCaller<T>(caller: Caller | null, work: () => T): T {
  return context.run({ caller }, work);
}

export function setCaller(caller: Caller): void {
  const current = context.getStore();
  if (current) current.caller = caller;
}

/** The caller of the request this code runs for, or null outside any request (CLI, jobs). */
export function currentCaller(): Caller | null {
  return context.getStore()?.caller ?? null;
}
