import { describe, expect, it } from 'vitest';
import { documentMetadataSchema, metadataFilterSchema, searchRequestSchema, usageQuerySchema } from './request-schemas.js';

// JSON.parse keeps "__proto__" as an own key, as a body parser hands it over.
const parsed = (json: string): unknown => JSON.parse(json);

describe('metadata and filter keys', () => {
  it.each(['__proto__', 'constructor', 'prototype'])('refuses the reserved key %s by name instead of dropping it', (key) => {
    for (const schema of [documentMetadataSchema, metadataFilterSchema]) {
      const result = schema.safeParse(parsed(`{"${key}":"x","team":"ops"}`));
      expect(result.success).toBe(false);
      expect(result.error!.issues[0]!.path).toEqual([key]);
      expect(result.error!.issues[0]!.message).toContain(`"${key}" is reserved`);
    }
  });

  it('refuses a reserved key inside a search filter', () => {
    const result = searchRequestSchema.safeParse(parsed('{"query":"lighthouse","filter":{"__proto__":"nomatch"}}'));
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.path).toEqual(['filter', '__proto__']);
  });

  it('keeps every other key as given', () => {
    expect(documentMetadataSchema.parse(parsed('{"team":"ops","proto":"x","__x__":"y"}'))).toEqual({ team: 'ops', proto: 'x', __x__: 'y' });
  });
});

describe('usage query', () => {
  it.each(['2024-13-45', '2024-02-30', '2023-02-29', '2024-00-10'])('refuses %s, which is no calendar day', (day) => {
    const result = usageQuerySchema.safeParse({ from: day });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toContain('is not a calendar day');
  });

  it('refuses a range that ends before it starts, and takes a leap day and an equal range', () => {
    expect(usageQuerySchema.safeParse({ from: '2024-05-02', to: '2024-05-01' }).error!.issues[0]!.message).toBe('from must not be after to');
    expect(usageQuerySchema.parse({ from: '2024-02-29', to: '2024-02-29' })).toEqual({ from: '2024-02-29', to: '2024-02-29' });
  });
});
