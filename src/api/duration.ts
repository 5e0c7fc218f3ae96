// Go-style durations ("300ms", "40s", "1h30m", "1.5h", "-2m") as milliseconds.
import { ApiError } from "./errors.ts";

const units: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const termRe = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;

/** Parse like Go's time.ParseDuration; "0" alone is allowed. Throws ApiError.badRequest. */
export function parseDuration(s: string): number {
  const fail = (): never => {
    throw ApiError.badRequest(`invalid duration ${JSON.stringify(s)}: expected a number with a unit (ns, us, ms, s, m, h), e.g. "30s" or "1h30m"`);
  };
  if (typeof s !== "string") fail();
  let rest = s.trim();
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    if (rest[0] === "-") sign = -1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") fail();
  let total = 0;
  while (rest.length) {
    const m = termRe.exec(rest);
    if (!m) fail();
    const [whole, num, unit] = m as RegExpExecArray;
    total += Number.parseFloat(num) * units[unit];
    rest = rest.slice(whole.length);
  }
  return sign * total;
}

/** Milliseconds as a Go duration string: 5400000 → "1h30m0s", 1500 → "1.5s", 250 → "250ms". */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let v = Math.abs(ms);
  if (v < 1000) return `${sign}${+v.toFixed(6)}ms`;
  const h = Math.floor(v / 3_600_000);
  v -= h * 3_600_000;
  const m = Math.floor(v / 60_000);
  v -= m * 60_000;
  const s = +(v / 1000).toFixed(9);
  let out = sign;
  if (h) out += `${h}h`;
  if (h || m) out += `${m}m`;
  return `${out}${s}s`;
}
