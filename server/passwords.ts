/**
 * Password hashing with scrypt (memory-hard, built into Node: no native add-on to build).
 * Format: scrypt$N$r$p$salt$hash (base64). Parameters are stored so they can be raised later.
 */
import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (pw: string, salt: Buffer, len: number, opts: crypto.ScryptOptions) => Promise<Buffer>;
const N = 1 << 15; // 32 MiB with r=8: OWASP's scrypt minimum is N=2^17 r=8 p=1 or equivalent cost
const r = 8;
const p = 1;
const KEYLEN = 32;
const maxmem = 128 * N * r * 2;

/** Hash a password for storage. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(password, salt, KEYLEN, { N, r, p, maxmem });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/** Check a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, rr, pp, salt, hash] = parts;
  const expected = Buffer.from(hash, 'base64');
  const actual = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, {
    N: Number(n),
    r: Number(rr),
    p: Number(pp),
    maxmem: 128 * Number(n) * Number(rr) * 2,
  });
  return crypto.timingSafeEqual(actual, expected);
}

// A hash of a random password, verified against when the username doesn't exist, so that
// response time does not reveal which usernames are registered.
let decoy: Promise<string> | null = null;
/** A stored-format hash that matches no password. */
export function decoyHash(): Promise<string> {
  decoy ??= hashPassword(crypto.randomBytes(16).toString('hex'));
  return decoy;
}
