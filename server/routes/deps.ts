/** What route modules receive from the app: rate-limit middleware, cookie options, the dispatcher. */
import type { RequestHandler, CookieOptions } from 'express';
import type { Config } from '../config';

export interface HttpDeps {
  config: Config;
  limits: { login: RequestHandler; posting: RequestHandler; likes: RequestHandler; flags: RequestHandler; search: RequestHandler };
  cookieOptions: CookieOptions;
}
