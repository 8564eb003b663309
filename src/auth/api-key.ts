// An API key as Sift keeps it: a name (what the ledger and listings show), a role, the
// collections it may touch, and optional limits. The secret is never part of it.
import { z } from 'zod';
import { ROLES, type Role } from './roles.js';
import { CollectionScope } from './collection-scope.js';

export interface RateLimit {
  /** Requests a minute, refilled continuously (token bucket). */
  perMinute: number;
  /** Requests that may come at once after a quiet spell; the bucket's size. */
  burst: number;
}

/** A monthly (UTC calendar month) budget for model calls; either or both limits. */
export interface Budget {
  tokens: number | null;
  usd: number | null;
}

export interface ApiKey {
  name: string;
  role: Role;
  scope: string[];
  rateLimit: RateLimit | null;
  budget: Budget | null;
  createdAt: string;
  lastUsedAt: string | null;
}

export const KEY_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const scopeEntries = z
  .array(z.string())
  .min(1)
  .max(100)
  .superRefine((entries, context) => {
    try {
      CollectionScope.parse(entries);
    } catch (error) {
      context.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** What creating a key takes, over HTTP and on the command line. */
export const newKeySchema = z
  .strictObject({
    name: z.string().regex(KEY_NAME, '1-64 letters, digits, "_", "-" or ".", starting with a letter or digit'),
    role: z.enum(ROLES),
    scope: scopeEntries.default(['*']),
    rateLimit: z
      .strictObject({
        perMinute: z.number().positive().max(1_000_000),
        burst: z.number().int().min(1).max(1_000_000).optional(),
      })
      .optional(),
    budget: z
      .strictObject({
        tokens: z.number().int().positive().optional(),
        usd: z.number().positive().optional(),
      })
      .refine((budget) => budget.tokens !== undefined || budget.usd !== undefined, 'give tokens, usd or both')
      .optional(),
  })
  .refine((key) => key.role !== 'admin' || (key.scope.length === 1 && key.scope[0] === '*'), {
    message: 'an admin key manages keys and sees everything, so its scope is "*"',
    path: ['scope'],
  });

export type NewKey = z.input<typeof newKeySchema>;
export type NewKeyParsed = z.output<typeof newKeySchema>;
