// What a route needs from the key that calls it, declared where the route is: the least
// role, the route parameter naming the collection it touches (checked against the key's
// scope), and whether it always calls a model (checked against the key's budget before any
// work). The key guard reads this from the handler Nest matched, never from the path.
//
//   @Needs('read', { collection: 'collection' })   POST /v1/collections/:collection/search
//   @Needs('read', { modelCalls: true })           POST /v1/chat
//   @Needs('admin')                                POST /v1/keys
//
// A route with neither @Needs nor @PublicRoute() is admin-only (see UNDECLARED_NEED).
import { SetMetadata } from '@nestjs/common';
import type { Role } from '../auth/roles.js';

export const ROUTE_NEED = 'sift:route-need';

export interface RouteNeed {
  role: Role;
  /** The route parameter holding a collection name, when the route touches one collection. */
  collectionParam: string | null;
  /** The route calls a model on every request, so a key over its budget is refused up front. */
  modelCalls: boolean;
}

/** Fail closed: a route nobody declared needs is open to admin keys only. */
export const UNDECLARED_NEED: RouteNeed = { role: 'admin', collectionParam: null, modelCalls: false };

export function Needs(role: Role, options: { collection?: string; modelCalls?: boolean } = {}): MethodDecorator & ClassDecorator {
  const need: RouteNeed = { role, collectionParam: options.collection ?? null, modelCalls: options.modelCalls ?? false };
  return SetMetadata(ROUTE_NEED, need);
}
