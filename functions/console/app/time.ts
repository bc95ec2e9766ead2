/**
 * How long until `expiresAt`, in words.
 *
 * @example
 * timeLeft('2026-12-01T10:09:30Z', Date.parse('2026-12-01T10:00:00Z')); // '9 min 30 s left'
 */
export function timeLeft(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now;
  if (!Number.isFinite(ms)) return 'unknown';
  if (ms <= 0) return 'expired';
  const seconds = Math.floor(ms / 1000);
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  if (hours > 0) return `${hours} h ${minutes} min left`;
  if (minutes > 0) return `${minutes} min ${seconds % 60} s left`;
  return `${seconds} s left`;
}

/** A time as people here read it, in their own time zone. */
export const localTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
};
