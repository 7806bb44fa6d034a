// Window syntax of @rateLimit(window: "…"): graphql-rate-limit's, which is the `ms` package's ("10s", "1m",
// "1.5 hours", "500" = 500 ms). graphql-rate-limit only applies it inside its async per-resolver limiter and
// does not export the parser, while config validation and supergraph loading need a synchronous answer; so
// this reproduces the same grammar, and test/unit/rateLimitWindow.test.ts pins it to the library's own
// result (through getGraphQLRateLimiter) for every unit.

const SECOND_MS = 1_000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;
/** ms counts a year as 365.25 days. */
const YEAR_MS = 365.25 * DAY_MS;

const WINDOW_PATTERN =
  /^(-?(?:\d+)?\.?\d+) *(milliseconds?|msecs?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w|years?|yrs?|y)?$/i;

function unitMs(unit: string): number {
  const u = unit.toLowerCase();
  if (u === 'y' || u.startsWith('year') || u.startsWith('yr')) return YEAR_MS;
  if (u === 'w' || u.startsWith('week')) return WEEK_MS;
  if (u === 'd' || u.startsWith('day')) return DAY_MS;
  if (u === 'h' || u.startsWith('hour') || u.startsWith('hr')) return HOUR_MS;
  if (u === 'ms' || u.startsWith('msec') || u.startsWith('millisecond')) return 1;
  if (u === 'm' || u.startsWith('min')) return MINUTE_MS;
  return SECOND_MS; // s, sec(s), second(s)
}

/** The window in milliseconds exactly as graphql-rate-limit (`ms`) reads it, or undefined when it does not parse. */
export function parseWindowLikeGraphqlRateLimit(window: string): number | undefined {
  if (window.length === 0 || window.length > 100) return undefined;
  const match = WINDOW_PATTERN.exec(window);
  if (!match) return undefined;
  return parseFloat(match[1] ?? '') * unitMs(match[2] ?? 'ms');
}

/** A usable window: parses, and is at least 1 ms (whole milliseconds; fractions are dropped). */
export function parseRateLimitWindow(window: string): number {
  const parsed = parseWindowLikeGraphqlRateLimit(window);
  if (parsed === undefined || !Number.isFinite(parsed) || parsed < 1) {
    throw new Error(`invalid rate-limit window "${window}": use graphql-rate-limit's syntax, e.g. "10s", "1m", "1h"`);
  }
  return Math.floor(parsed);
}
