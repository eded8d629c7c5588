// Times and durations as people read them. The Review Mechanism meets in Vienna: deadlines are
// shown in Vienna time whatever the reader's own zone.

const viennaFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/Vienna', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric',
  hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
});

export function viennaTime(instant) {
  if (!instant) return '—';
  const date = new Date(instant);
  return Number.isNaN(date.getTime()) ? instant : viennaFormat.format(date);
}

// A date "2026-07-15" as "Wed 15 Jul 2026" (a calendar day, no zone).
export function day(text) {
  if (!text) return '—';
  const date = new Date(`${text}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return text;
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric',
                                           month: 'short', year: 'numeric' }).format(date);
}

// Milliseconds as "3 d 4 h", "2 h 5 min", "45 s".
export function duration(ms) {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (d > 0) return `${d} d ${h} h`;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

// "in 3 d 4 h" / "passed 2 h ago".
export function countdown(instant, now = Date.now()) {
  const left = new Date(instant).getTime() - now;
  return left >= 0 ? `${duration(left)} left` : `passed ${duration(-left)} ago`;
}

export function label(status) {
  return String(status ?? '—').replaceAll('_', ' ');
}
