/**
 * Client-supplied text as it may appear in an error message: JSON-escaped (so control
 * characters and quotes cannot break a log line or a header) and cut at 64 characters.
 */
export function printable(value: string): string {
  const shown = value.length > 64 ? `${value.slice(0, 64)}…` : value;
  return JSON.stringify(shown).slice(1, -1);
}
