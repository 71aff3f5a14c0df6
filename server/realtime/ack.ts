/** Run a command handler and answer its ack with the contract shape, mapping errors to codes. */
import { ZodError } from 'zod';
import type { Ack } from './contract';
import { logUnhandled, toAppError } from '../middleware/errors';

/** Wrap a handler: validates nothing itself, but guarantees exactly one well-formed ack and no crash. */
export function command<P, T>(handler: (payload: P) => Promise<T>) {
  return async (payload: P, ack?: unknown) => {
    const reply = typeof ack === 'function' ? (ack as (r: Ack<T>) => void) : () => undefined;
    try {
      reply({ ok: true, data: await handler(payload) });
    } catch (err) {
      const e = err instanceof ZodError ? toAppError({ type: 'entity.parse.failed' }) : toAppError(err);
      if (e.code === 'internal') logUnhandled('socket command failed', {}, err);
      reply({ ok: false, error: { code: e.code, message: e.message } });
    }
  };
}
