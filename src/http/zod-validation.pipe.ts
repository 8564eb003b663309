import { type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { ErrorCode, SiftError } from '../common/errors.js';

/** Validates one request part against a zod schema; the error names each bad field. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.infer<T>> {
  constructor(
    private readonly schema: T,
    private readonly what = 'request body',
  ) {}

  transform(value: unknown): z.infer<T> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : this.what}: ${issue.message}`);
    throw new SiftError(ErrorCode.ValidationFailed, `Invalid ${this.what}: ${problems.join('; ')}`, { problems });
  }
}
