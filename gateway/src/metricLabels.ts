// Bounded metric labels for values clients choose (operation names, client names and versions).
// Every distinct label value is one more time series in every Prometheus that scrapes us, and a client
// can send a new operation name per request: a label set accepts its first `maxValues` distinct
// combinations and reports every later one as OTHER_LABEL, so a hostile client costs at most
// `maxValues` series. Values must also be short and plain (they end up in dashboards and alerts):
// anything else is OTHER_LABEL too.

export const OTHER_LABEL = '__other__';
export const UNKNOWN_LABEL = '__unknown__';
export const ANONYMOUS_LABEL = '__anonymous__';

const RESERVED: ReadonlySet<string> = new Set([OTHER_LABEL, UNKNOWN_LABEL, ANONYMOUS_LABEL]);

/** Printable ASCII without spaces, quotes or backslashes, up to 64 characters (GraphQL names, semver, app ids). */
const PLAIN_VALUE = /^[A-Za-z0-9_.:@/+-]{1,64}$/;

export interface BoundedLabels {
  /** The labels for `values`: themselves while there is room (or seen before), else all OTHER_LABEL. */
  of(values: readonly string[]): string[];
}

export function createBoundedLabels(maxValues: number): BoundedLabels {
  const seen = new Set<string>();
  return {
    of(values) {
      // Values are plain (no space), so a space joins them without ambiguity.
      // The reserved labels are a fixed handful of series: they never take a client's place.
      if (values.every((value) => RESERVED.has(value))) return [...values];
      const key = values.join(' ');
      if (seen.has(key)) return [...values];
      if (!values.every((value) => PLAIN_VALUE.test(value)) || seen.size >= maxValues) return values.map(() => OTHER_LABEL);
      seen.add(key);
      return [...values];
    },
  };
}

/** One header's value as a plain string (the first of repeated headers), or undefined when absent or empty. */
export function headerValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
