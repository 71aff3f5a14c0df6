/** What route modules receive from the app: rate-limit middleware, cookie options, the dispatcher. */
import type { RequestHandler, CookieOptions } from 'express';
import type { Config } from '../config';
import type { LoginThrottle } from '../middleware/rateLimit';
import type { UploadSettings } from '../services/uploads';
import type { ViewCounter } from '../services/viewCounts';

export interface HttpDeps {
  config: Config;
  limits: {
    /** Sign-in: attempts per address, failures per account (see LoginThrottle). */
    login: LoginThrottle;
    /** New accounts per address. */
    registrations: RequestHandler;
    /** Other password checks (change password, delete account): the sign-in address budget. */
    passwordCheck: RequestHandler;
    posting: RequestHandler;
    likes: RequestHandler;
    flags: RequestHandler;
    /** Private messages sent, per member. */
    messages: RequestHandler;
    /** Conversations started by accounts younger than MESSAGES_NEW_ACCOUNT_DAYS, per member per hour. */
    newConversations: RequestHandler;
    /** Forum search (API and page) for members and anonymous users. */
    search: RequestHandler;
    /** Composer previews (Markdown rendered by the server), per member. */
    preview: RequestHandler;
    /** Image uploads (post photos, avatars) per member. */
    uploads: RequestHandler;
  };
  /** Upload storage, image limits and the per-member quota. */
  uploads: UploadSettings;
  cookieOptions: CookieOptions;
  /** Thread page views, counted in memory and flushed in batches. */
  viewCounts: ViewCounter;
}
