// How `npm start` shows one log line of a child: JSON (pino) lines become one readable line with the
// fields a developer acts on (a refusal's reason and hint included); anything else is shown as is.

const LEVELS: Record<number, string> = { 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
/** Shown in this order when present; the rest of a record stays in the JSON logs. */
const SHOWN_FIELDS = ['url', 'event', 'requestId', 'operationName', 'status', 'durationMs', 'errorCodes', 'code', 'subgraph', 'reason', 'err', 'hint'];

function shownValue(value: unknown): string {
  // pino serialises errors as { type, message, stack }: the message is what a reader needs here.
  if (value && typeof value === 'object' && typeof (value as { message?: unknown }).message === 'string') return JSON.stringify((value as { message: string }).message);
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

export function formatStartLogLine(name: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `[${name}] ${line}`;
  }
  if (!record || typeof record !== 'object') return `[${name}] ${line}`;
  const level = typeof record.level === 'number' ? LEVELS[record.level] ?? 'info' : 'info';
  const details = SHOWN_FIELDS.filter((key) => record[key] !== undefined && !(key === 'hint' && record.msg === record.hint))
    .map((key) => `${key}=${shownValue(record[key])}`)
    .join(' ');
  return `[${name}] ${level === 'info' ? '' : `${level.toUpperCase()} `}${String(record.msg ?? '')}${details ? ` ${details}` : ''}`;
}
