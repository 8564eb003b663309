// The caller the key guard admitted, for handlers that shape answers by it (listings that
// show only the key's collections, jobs and usage): `@RequestCaller() caller: Caller`.
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { OPEN_CALLER, type Caller } from '../auth/caller.js';

const CALLER = Symbol('sift:caller');

export function attachCaller(request: Request, caller: Caller): void {
  (request as Request & { [CALLER]?: Caller })[CALLER] = caller;
}

export function callerOf(request: Request): Caller {
  // Public routes run without the guard's decision; they act as the open server does.
  return (request as Request & { [CALLER]?: Caller })[CALLER] ?? OPEN_CALLER;
}

export const RequestCaller = createParamDecorator((_: unknown, context: ExecutionContext): Caller => callerOf(context.switchToHttp().getRequest<Request>()));
