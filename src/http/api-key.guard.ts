// Every route is authorized from what its handler declares (@PublicRoute() or @Needs(...),
// see route-needs.ts), read from the handler Nest matched, so no spelling of a path (case,
// slashes, encoding) can reach a route unguarded. The OpenAPI UI and document are served
// outside Nest's routing and stay open.
//
// When keys are in use (SIFT_API_KEYS, or any key ever created in the key store), a request
// needs `Authorization: Bearer <key>`; then, in order: the key's rate limit (429), its role
// (403), its collection scope (404, as for a collection that does not exist, so names do not
// leak) and, for routes that always call a model, its budget (429). Without any keys every
// route is open, as before keys existed.
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { AuthService } from '../auth/auth.service.js';
import { OPEN_CALLER, setCaller, type Caller } from '../auth/caller.js';
import { roleAllows } from '../auth/roles.js';
import { collectionNotFound } from '../common/collection-name.js';
import { ErrorCode, SiftError } from '../common/errors.js';
import { PUBLIC_ROUTE } from './public-route.js';
import { attachCaller } from './request-caller.js';
import { ROUTE_NEED, UNDECLARED_NEED, type RouteNeed } from './route-needs.js';

const BEARER = /^Bearer\s+(.+)$/i;

@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.auth.keysRequired) {
      this.admit(request, OPEN_CALLER);
      return true;
    }
    const caller = this.authenticate(request);
    this.admit(request, caller);
    await this.auth.takeRequest(caller);
    const need = this.reflector.getAllAndOverride<RouteNeed | undefined>(ROUTE_NEED, targets) ?? UNDECLARED_NEED;
    if (!roleAllows(caller.role, need.role)) {
      throw new SiftError(ErrorCode.Forbidden, `This route needs a key with the ${need.role} role (or above); key "${caller.keyName}" has ${caller.role}.`);
    }
    if (need.collectionParam) {
      const collection = request.params[need.collectionParam];
      if (typeof collection === 'string' && !caller.scope.allows(collection)) throw collectionNotFound(collection);
    }
    if (need.modelCalls && caller.budget) await caller.budget.assertAvailable('this model call');
    return true;
  }

  private authenticate(request: Request): Caller {
    const match = BEARER.exec((request.headers.authorization ?? '').trim());
    if (!match) throw new SiftError(ErrorCode.Unauthorized, 'This server requires an API key: send "Authorization: Bearer <key>".');
    const caller = this.auth.authenticate(match[1]!);
    if (!caller) throw new SiftError(ErrorCode.Unauthorized, 'The API key is not valid (unknown or revoked).');
    return caller;
  }

  private admit(request: Request, caller: Caller): void {
    attachCaller(request, caller);
    setCaller(caller);
  }
}
