/**
 * 405 for a method a known path does not support (TRACE, PUT on a GET-only route, ...), with
 * `Allow` listing what it does support; OPTIONS answers 204 with the same `Allow`. A path no route
 * matches falls through to the 404 after it. Mount it after the routes of the router it inspects.
 */
import type { NextFunction, Request, Response } from 'express';
import { MethodNotAllowed } from '../errors';

interface RouterLayer {
  rawPath?: unknown;
  match(path: string): unknown;
  route?: { methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** Methods of every route in `stack` (and routers mounted at `/` in it) whose path matches. */
function routeMethods(stack: RouterLayer[], path: string, into: Set<string>): Set<string> {
  for (const layer of stack) {
    if (layer.route) {
      let matched = false;
      try {
        matched = Boolean(layer.match(path));
      } catch {
        // A malformed %-escape: routing already answered 400 for it before this point.
      }
      if (!matched) continue;
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') into.add(method.toUpperCase());
    } else if (layer.handle.stack && (layer.rawPath === '/' || layer.rawPath === undefined)) {
      routeMethods(layer.handle.stack, path, into);
    }
  }
  return into;
}

/** The `Allow` list: the routes' methods, HEAD wherever GET is (Express answers it), and OPTIONS. */
function allowList(methods: Set<string>): string[] {
  if (methods.has('GET')) methods.add('HEAD');
  methods.add('OPTIONS');
  const order = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
  return [...methods].sort((a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99));
}

/** Middleware: answer 405 (or OPTIONS) for paths that `router` routes, but not with this method. */
export function methodNotAllowed(router: { stack: unknown[] }) {
  return (req: Request, res: Response, next: NextFunction) => {
    const methods = routeMethods(router.stack as RouterLayer[], req.path, new Set());
    if (methods.size === 0 || methods.has(req.method)) return next();
    const allow = allowList(methods);
    if (req.method === 'OPTIONS') {
      res.setHeader('Allow', allow.join(', '));
      return void res.status(204).end();
    }
    next(MethodNotAllowed(req.method, allow));
  };
}
