/** `1.5 s`, `90 s`, `10 min`, `2 h 5 min` */
export function formatDuration(ms: number): string {
  if (ms < 9_950 && Math.round(ms / 100) % 10 !== 0) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `12h`, `90m`, `1h30m`, `2d`, `45s` → milliseconds; undefined when the text is not such a duration. */
export function parseDuration(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (!/^(\d+(\.\d+)?[smhd])+$/.test(t)) return undefined;
  let ms = 0;
  for (const [, value = '0', , unit = 's'] of t.matchAll(/(\d+(\.\d+)?)([smhd])/g)) ms += Number(value) * (UNIT_MS[unit] ?? 0);
  return ms > 0 ? ms : undefined;
}
