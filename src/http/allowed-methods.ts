// For a request no route answered: the methods the route table does accept on its path, so
// a wrong method gets 405 with an `Allow` header instead of a 404 that hides the route.
import type { Request } from 'express';

interface RouteLayer {
  match(path: string): boolean;
  route?: { _methods(): string[] };
}

export function allowedMethodsFor(request: Request): string[] {
  const stack = (request.app as unknown as { router?: { stack?: RouteLayer[] } }).router?.stack ?? [];
  const methods = new Set<string>();
  for (const layer of stack) {
    if (layer.route && layer.match(request.path)) {
      for (const method of layer.route._methods()) methods.add(method.toUpperCase());
    }
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}
