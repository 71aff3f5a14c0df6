/** The time zones a member may choose: the IANA names this runtime's Intl knows, plus UTC. */

// A Set, not an array scan: validation runs on every settings form; a Set of strings has no prototype keys.
export const TIME_ZONES: readonly string[] = [...new Set([...Intl.supportedValuesOf('timeZone'), 'UTC'])].sort();
const known = new Set(TIME_ZONES);

/** True for an IANA zone name Intl can format in ("Asia/Shanghai", "UTC"); false for offsets or made-up names. */
export function isTimeZone(value: string): boolean {
  return known.has(value);
}

/** The zone used when a page is rendered before the request's zone is known (an early error page). */
export const FALLBACK_TIME_ZONE = 'Asia/Shanghai';
