// When SIFT_API_KEYS is set, every /v1 route needs `Authorization: Bearer <key>`. Health,
// metrics and docs stay open so that probes and operators need no secret.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { ErrorCode, SiftError } from '../common/errors.js';

function digest(value: string): Buffer {
  // Hashing first gives equal-length buffers, so the comparison time says nothing about the key.
  return createHash('sha256').update(value).digest();
}

@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keyDigests: Buffer[];

  constructor(config: AppConfig) {
    this.keyDigests = config.apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    if (this.keyDigests.length === 0) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!request.path.startsWith('/v1/')) return true;
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
