// Every error leaves as JSON `{error: {code, message}}` with the status its code implies, or
// in the error body of the standard API a route speaks (see error-envelope.ts).
// Stack traces and internal messages stay in the log.
import { ArgumentsHost, Catch, HttpException, Logger, NotFoundException, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { ConfigError } from '../config/app-config.js';
import { ErrorCode, SiftError, isSiftError } from '../common/errors.js';
import { httpStatusFor } from '../common/http-status-for.js';
import { allowedMethodsFor } from './allowed-methods.js';
import { envelopeOf, errorBody } from './error-envelope.js';


const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthorized,
  404: ErrorCode.RouteNotFound,
  405: ErrorCode.MethodNotAllowed,
  413: ErrorCode.FileTooLarge,
  415: ErrorCode.UnsupportedType,
};

/** Body-parser failures arrive wrapped by Nest with the original error as the cause. */
function fromBodyParserError(error: unknown): SiftError | null {
  const type = (error as { type?: string } | undefined)?.type;
  if (type === 'entity.parse.failed') {
    return new SiftError(ErrorCode.MalformedJson, `The request body is not valid JSON: ${(error as Error).message}.`);
  }
  if (type === 'entity.too.large') {
    // The limit is 1 MB except on routes that take more (POST /v1/classify).
    const limit = (error as { limit?: number }).limit ?? 1024 * 1024;
    const shown = limit >= 1024 * 1024 ? `${Math.round((limit / 1024 / 1024) * 10) / 10} MB` : `${limit} bytes`;
    return new SiftError(ErrorCode.BodyTooLarge, `The JSON request body is larger than ${shown}.`);
  }
  return null;
}

/** Nest, body-parser and multer errors, translated into Sift's codes. */
function fromFrameworkError(error: unknown, uploadLimitBytes: number, path: string): SiftError | null {
  if (!(error instanceof HttpException)) return fromBodyParserError(error);
  const fromParser = fromBodyParserError(error.cause);
  if (fromParser) return fromParser;
  const status = error.getStatus();
  const code = CODE_FOR_STATUS[status];
  if (!code) return null;
  const message = error.message;
  if (code === ErrorCode.FileTooLarge) {
    return new SiftError(code, `A file is larger than the upload limit of ${uploadLimitBytes} bytes (MAX_UPLOAD_BYTES).`);
  }
  if (status === 400 && /Unexpected (file )?field/i.test(message)) {
    if (path === '/v1/vision') return new SiftError(ErrorCode.ValidationFailed, 'Upload one image in the multipart field "image" (with the prompt in "prompt").');
    return new SiftError(ErrorCode.ValidationFailed, 'Upload files in the multipart field "files" (and optional JSON in "metadata").');
  }
  if (status === 400 && /Too many files/i.test(message)) {
    return new SiftError(ErrorCode.TooManyFiles, `${message}: send at most MAX_UPLOAD_FILES files per request.`);
  }
  if (status === 404) return new SiftError(code, `No route ${message.replace(/^Cannot /, '')}.`);
  return new SiftError(code, message);
}

/** Nest's 404 for a path the route table knows under other methods becomes a 405 with `Allow`. */
function fromWrongMethod(exception: unknown, request: Request, response: Response): SiftError | null {
  if (!(exception instanceof NotFoundException) || !/^Cannot [A-Z]+ /.test(exception.message)) return null;
  const allowed = allowedMethodsFor(request);
  if (allowed.length === 0) return null;
  response.setHeader('Allow', allowed.join(', '));
  return new SiftError(ErrorCode.MethodNotAllowed, `${request.method} is not allowed on ${request.path}; use ${allowed.join(', ')}.`, { allowed });
}

@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  constructor(private readonly uploadLimitBytes: number) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    const error = isSiftError(exception) ? exception : (fromWrongMethod(exception, request, response) ?? fromFrameworkError(exception, this.uploadLimitBytes, request.path));
    if (!error) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const sift = error ?? new SiftError(ErrorCode.Internal, exception instanceof ConfigError ? exception.message : 'Internal error; the server log has the details.');
    if (response.headersSent) {
      response.end();
      return;
    }
    // Rate limits and budgets say when to come back, in the header clients and proxies read.
    const retryAfter = sift.details?.retryAfterSeconds;
    if (typeof retryAfter === 'number') response.setHeader('Retry-After', String(retryAfter));
    const status = httpStatusFor(sift.code);
    response.status(status).json(errorBody(envelopeOf(request), sift, status));
  }
}
