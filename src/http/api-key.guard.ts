// When SIFT_API_KEYS is set, every route needs `Authorization: Bearer <key>` unless its
// controller or handler is marked @PublicRoute(). The decision is made on the handler Nest
// matched, so no spelling of a path (case, slashes, encoding) can reach a route unguarded.
// The OpenAPI UI and document are served outside Nest's routing and stay open.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { PUBLIC_ROUTE } from './public-route.js';

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison time says nothing about the key.
  return createHash('sha256').update(value).digest();
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keyDigests: Buffer[];

  constructor(
    config: AppConfig,
    private readonly reflector: Reflector,
  ) {
    this.keyDigests = config.apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keyDigests.length === 0) return true;
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request>();
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (!match) {
      throw new SiftError(ErrorCode.Unauthorized, 'This server requires an API key: send "Authorization: Bearer <key>".');
    }
    const given = digest(match[1]!);
    if (!this.keyDigests.some((key) => timingSafeEqual(key, given))) {
      throw new SiftError(ErrorCode.Unauthorized, 'The API key is not valid.');
    }
    return true;
  }
}
