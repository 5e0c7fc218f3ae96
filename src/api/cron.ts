// Cron schedules for CronJobs: the 5-field syntax (minute hour day-of-month
// month day-of-week) with *, ranges, lists, steps, month/day names, the @hourly
// … @yearly descriptors and @every <duration>, with robfig/cron's semantics
// (what Kubernetes uses): when both day fields are restricted, either may match.
import { parseDuration } from "./duration.ts";
import { ApiError } from "./errors.ts";

export interface CronSchedule {
  /** The first time strictly after `after` when the schedule fires (whole minutes). */
  next(after: Date): Date;
}

interface Field {
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

const fields: Field[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  {
    name: "month",
    min: 1,
    max: 12,
    names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
  },
  { name: "day of week", min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } },
];

const descriptors: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

interface ParsedField {
  allowed: Set<number>;
  /** Written as * or ? (possibly with a step): matters for the day-of-month/day-of-week rule. */
  star: boolean;
}

function fail(spec: string, msg: string): never {
  throw ApiError.badRequest(`invalid cron schedule ${JSON.stringify(spec)}: ${msg}`);
}

function parseValue(s: string, f: Field, spec: string): number {
  const named = f.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(s)) fail(spec, `${f.name}: ${JSON.stringify(s)} is not a number${f.names ? " or a name" : ""}`);
  let n = Number(s);
  if (f.name === "day of week" && n === 7) n = 0;
  if (n < f.min || n > f.max) fail(spec, `${f.name}: ${n} is out of range ${f.min}-${f.max}`);
  return n;
}

function parseField(text: string, f: Field, spec: string): ParsedField {
  const allowed = new Set<number>();
  let star = false;
  for (const part of text.split(",")) {
    if (part === "") fail(spec, `${f.name}: empty list element`);
    const [rangePart, stepPart, extra] = part.split("/");
    if (extra !== undefined) fail(spec, `${f.name}: too many '/' in ${JSON.stringify(part)}`);
    let step = 1;
    if (stepPart !== undefined) {
      if (!/^\d+$/.test(stepPart) || Number(stepPart) === 0) fail(spec, `${f.name}: step must be a positive number, got ${JSON.stringify(stepPart)}`);
      step = Number(stepPart);
    }
    let lo: number;
    let hi: number;
    if (rangePart === "*" || rangePart === "?") {
      if (rangePart === "?" && f.name !== "day of month" && f.name !== "day of week") fail(spec, `${f.name}: '?' is only allowed in the day fields`);
      lo = f.min;
      hi = f.max;
      star = true;
    } else {
      const bounds = rangePart.split("-");
      if (bounds.length > 2) fail(spec, `${f.name}: bad range ${JSON.stringify(rangePart)}`);
      lo = parseValue(bounds[0], f, spec);
      hi = bounds.length === 2 ? parseValue(bounds[1], f, spec) : stepPart !== undefined ? f.max : lo;
      if (f.name === "day of week" && bounds.length === 2 && bounds[1] === "7") hi = 6;
      if (hi < lo) fail(spec, `${f.name}: range ${JSON.stringify(rangePart)} ends before it starts`);
    }
    for (let v = lo; v <= hi; v += step) allowed.add(v);
    // "5-7": 7 is Sunday again.
    if (f.name === "day of week" && /-7$/.test(rangePart) && (7 - lo) % step === 0) allowed.add(0);
  }
  return { allowed, star };
}

/** The wall-clock fields of an instant, in UTC or an IANA time zone. */
type Clock = (t: number) => { minute: number; hour: number; day: number; month: number; weekday: number };

function clockFor(timeZone: string | undefined, spec: string): Clock {
  if (!timeZone || timeZone === "UTC" || timeZone === "Etc/UTC") {
    return (t) => {
      const d = new Date(t);
      return { minute: d.getUTCMinutes(), hour: d.getUTCHours(), day: d.getUTCDate(), month: d.getUTCMonth() + 1, weekday: d.getUTCDay() };
    };
  }
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", minute: "numeric", hour: "numeric", day: "numeric", month: "numeric", weekday: "short" });
  } catch {
    fail(spec, `unknown time zone ${JSON.stringify(timeZone)}`);
  }
  const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
  return (t) => {
    const parts: Record<string, string> = {};
    for (const p of fmt.formatToParts(new Date(t))) parts[p.type] = p.value;
    return { minute: Number(parts.minute), hour: Number(parts.hour) % 24, day: Number(parts.day), month: Number(parts.month), weekday: weekdays[parts.weekday] ?? 0 };
  };
}

const MINUTE = 60_000;

/**
 * Parse a CronJob schedule. `timeZone` (an IANA name, e.g. "Europe/Berlin")
 * sets the wall clock the fields are read in; default UTC. Throws
 * ApiError.badRequest on bad syntax or a schedule that can never fire.
 */
export function parseCronSchedule(spec: string, timeZone?: string): CronSchedule {
  if (typeof spec !== "string" || spec.trim() === "") fail(String(spec), "empty schedule");
  const trimmed = spec.trim();
  if (/^(CRON_)?TZ=/.test(trimmed)) fail(spec, "TZ or CRON_TZ in the schedule is not supported; set spec.timeZone instead");
  if (trimmed.startsWith("@every")) {
    const ms = parseEvery(trimmed.slice("@every".length).trim(), spec);
    return { next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + ms) };
  }
  const expanded = trimmed.startsWith("@") ? descriptors[trimmed.toLowerCase()] : trimmed;
  if (!expanded) fail(spec, `unknown descriptor ${JSON.stringify(trimmed)} (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>)`);
  const parts = expanded.split(/\s+/);
  if (parts.length !== 5) fail(spec, `expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`);
  const [minute, hour, dom, month, dow] = parts.map((p, i) => parseField(p, fields[i], spec));
  const clock = clockFor(timeZone, spec);
  const dayMatches = (day: number, weekday: number) => {
    const d = dom.allowed.has(day);
    const w = dow.allowed.has(weekday);
    return dom.star || dow.star ? d && w : d || w;
  };
  const next = (after: Date): Date | undefined => {
    let t = Math.floor(after.getTime() / MINUTE) * MINUTE + MINUTE;
    // Five years covers every satisfiable schedule (Feb 29 needs at most 8 years
    // between leap years only around 2100, far beyond a CronJob's life).
    const limit = t + 5 * 366 * 24 * 60 * MINUTE;
    while (t < limit) {
      const c = clock(t);
      if (!month.allowed.has(c.month)) {
        t += (24 * 60 - c.hour * 60 - c.minute) * MINUTE;
        continue;
      }
      if (!dayMatches(c.day, c.weekday)) {
        t += (24 * 60 - c.hour * 60 - c.minute) * MINUTE;
        continue;
      }
      if (!hour.allowed.has(c.hour)) {
        t += (60 - c.minute) * MINUTE;
        continue;
      }
      if (!minute.allowed.has(c.minute)) {
        t += MINUTE;
        continue;
      }
      return new Date(t);
    }
    return undefined;
  };
  if (!next(new Date(Date.UTC(2024, 0, 1)))) fail(spec, "the schedule never fires");
  return {
    next: (after) => {
      const t = next(after);
      if (!t) throw ApiError.internal(`cron schedule ${JSON.stringify(spec)} has no time after ${after.toISOString()}`);
      return t;
    },
  };
}

function parseEvery(text: string, spec: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch {
    fail(spec, `@every needs a duration such as "1h30m", got ${JSON.stringify(text)}`);
  }
  if (ms < 1000) fail(spec, "@every needs a duration of at least 1s");
  return Math.floor(ms / 1000) * 1000;
}
