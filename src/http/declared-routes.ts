// Every route Nest serves, with what it declares about keys (@PublicRoute(), @Needs, or
// nothing). The start-up log names routes that declare nothing (the guard lets only admin
// keys through to them), and the authorization tests walk this table, so a new route is
// checked the day it is added.
import { RequestMethod, type INestApplication } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { PUBLIC_ROUTE } from './public-route.js';
import { ROUTE_NEED, type RouteNeed } from './route-needs.js';

export interface DeclaredRoute {
  method: string;
  /** As Express holds it, e.g. `/v1/collections/:collection/documents`. */
  path: string;
  /** `public`, the declared need, or null when the route declares nothing. */
  need: RouteNeed | 'public' | null;
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((part) => part.split('/'))
    .filter((segment) => segment.length > 0)
    .join('/');
  return `/${joined}`;
}

function pathsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return [typeof value === 'string' ? value : '/'];
}

export function declaredRoutes(app: INestApplication): DeclaredRoute[] {
  const reflector = app.get(Reflector);
  const routes: DeclaredRoute[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => unknown) | null;
      if (!controller) continue;
      const prefixes = pathsOf(Reflect.getMetadata(PATH_METADATA, controller));
      const prototype = controller.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        if (name === 'constructor' || typeof handler !== 'function') continue;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (method === undefined) continue;
        const targets = [handler, controller];
        const need = reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets) ? 'public' : (reflector.getAllAndOverride<RouteNeed | undefined>(ROUTE_NEED, targets) ?? null);
        for (const prefix of prefixes) {
          for (const path of pathsOf(Reflect.getMetadata(PATH_METADATA, handler))) {
            routes.push({ method: RequestMethod[method], path: joinPath(prefix, path), need });
          }
        }
      }
    }
  }
  return routes;
}
