// Each API standard Sift speaks keeps its own error body on its routes, so a client library
// of that standard reads Sift's errors as it reads its vendor's. A controller names its
// standard with @ErrorEnvelope(); RouteContextGuard (the first global guard) records it on
// the request from the route Nest matched, and the error filter writes the body in it.
//
// Body-parser failures happen before routing, where no route is known yet; the parsers are
// wrapped so that such a failure waits on the request and is raised by the guard, inside the
// matched route, and answers in that route's envelope too (a path no route matches is a 404).
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { SiftError } from '../common/errors.js';
import { ErrorCode } from '../common/errors.js';

export type ErrorEnvelopeKind = 'sift' | 'openai' | 'cohere';

const ERROR_ENVELOPE = 'sift:error-envelope';
const ROUTE_ENVELOPE = Symbol('sift:route-envelope');
const DEFERRED_BODY_ERROR = Symbol('sift:deferred-body-error');

type MarkedRequest = Request & { [ROUTE_ENVELOPE]?: ErrorEnvelopeKind; [DEFERRED_BODY_ERROR]?: unknown };

/** Errors on this controller's (or handler's) routes use the standard's own body. */
export const ErrorEnvelope = (kind: ErrorEnvelopeKind): MethodDecorator & ClassDecorator => SetMetadata(ERROR_ENVELOPE, kind);

export function envelopeOf(request: Request): ErrorEnvelopeKind {
  return (request as MarkedRequest)[ROUTE_ENVELOPE] ?? 'sift';
}

/** Runs a body parser; its error is kept on the request for RouteContextGuard instead of ending the request before routing. */
export function deferBodyErrors(parser: RequestHandler): RequestHandler {
  return (request: Request, response: Response, next: NextFunction) => {
    void parser(request, response, (error?: unknown) => {
      if (error) (request as MarkedRequest)[DEFERRED_BODY_ERROR] = error;
      next();
    });
  };
}

@Injectable()
export class RouteContextGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<MarkedRequest>();
    const kind = this.reflector.getAllAndOverride<ErrorEnvelopeKind | undefined>(ERROR_ENVELOPE, [context.getHandler(), context.getClass()]);
    if (kind) request[ROUTE_ENVELOPE] = kind;
    const deferred = request[DEFERRED_BODY_ERROR];
    if (deferred) throw deferred;
    return true;
  }
}

/** The field a validation message names first ("messages.0.content: …" → "messages"). */
function paramOf(error: SiftError): string | null {
  const problems = error.details?.problems;
  const first = Array.isArray(problems) ? String(problems[0] ?? '') : '';
  const match = /^([A-Za-z_][\w]*)[.:]/.exec(first);
  return match ? match[1]! : ((error.details?.param as string | undefined) ?? null);
}

function openAiType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

const OPENAI_CODE: Partial<Record<ErrorCode, string>> = {
  [ErrorCode.Unauthorized]: 'invalid_api_key',
  [ErrorCode.ModelNotAllowed]: 'model_not_found',
  [ErrorCode.CollectionNotFound]: 'model_not_found',
  [ErrorCode.RateLimited]: 'rate_limit_exceeded',
  // OpenAI's code when an account's quota is spent; its clients stop retrying on it.
  [ErrorCode.BudgetExceeded]: 'insufficient_quota',
};

/** The error body of `kind` for a Sift error with its HTTP status. */
export function errorBody(kind: ErrorEnvelopeKind, error: SiftError, status: number): Record<string, unknown> {
  switch (kind) {
    case 'openai':
      // https://platform.openai.com/docs/guides/error-codes: {error: {message, type, param, code}}.
      return { error: { message: error.message, type: openAiType(status), param: paramOf(error), code: OPENAI_CODE[error.code] ?? error.code.toLowerCase() } };
    case 'cohere':
      // Cohere answers {"id": "<uuid>", "message": "…"} (v1 omits the id; clients read only `message`).
      return { id: randomUUID(), message: error.message };
    case 'sift':
      return { error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) } };
  }
}
