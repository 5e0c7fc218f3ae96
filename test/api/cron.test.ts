import { describe, expect, test } from "bun:test";
import { parseCronSchedule } from "../../src/api/cron.ts";
import { ApiError } from "../../src/api/errors.ts";

const at = (s: string) => new Date(s);
const next = (spec: string, after: string, tz?: string) => parseCronSchedule(spec, tz).next(at(after)).toISOString();

describe("parseCronSchedule", () => {
  test.each([
    ["* * * * *", "2026-01-01T10:00:30Z", "2026-01-01T10:01:00.000Z"],
    ["* * * * *", "2026-01-01T10:00:00Z", "2026-01-01T10:01:00.000Z"],
    ["*/15 * * * *", "2026-01-01T10:07:00Z", "2026-01-01T10:15:00.000Z"],
    ["*/15 * * * *", "2026-01-01T10:45:00Z", "2026-01-01T11:00:00.000Z"],
    ["5 4 * * *", "2026-01-01T10:00:00Z", "2026-01-02T04:05:00.000Z"],
    ["0 0 1 * *", "2026-01-15T00:00:00Z", "2026-02-01T00:00:00.000Z"],
    ["0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00.000Z"],
    ["0 9 * * mon-fri", "2026-11-27T12:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["0 9 * * MON-FRI", "2026-11-27T12:00:00Z", "2026-11-30T09:00:00.000Z"],
    ["0 12 * jan,jul *", "2026-02-01T00:00:00Z", "2026-07-01T12:00:00.000Z"],
    ["0 0 * * 7", "2026-11-27T00:00:00Z", "2026-11-29T00:00:00.000Z"],
    ["0 0 * * 5-7", "2026-11-28T01:00:00Z", "2026-11-29T00:00:00.000Z"],
    ["30 2 29 2 *", "2026-01-01T00:00:00Z", "2028-02-29T02:30:00.000Z"],
    ["0 0-6/2 * * *", "2026-01-01T03:00:00Z", "2026-01-01T04:00:00.000Z"],
    ["10/20 * * * *", "2026-01-01T00:31:00Z", "2026-01-01T00:50:00.000Z"],
    ["1,2,3 * * * *", "2026-01-01T00:02:00Z", "2026-01-01T00:03:00.000Z"],
    // Both day fields restricted: either may match (Friday the 13th, or any Friday).
    ["0 0 13 * 5", "2026-11-27T12:00:00Z", "2026-12-04T00:00:00.000Z"],
    ["0 0 13 * 5", "2026-12-05T12:00:00Z", "2026-12-11T00:00:00.000Z"],
    // A stepped star counts as a star: both must match.
    ["0 0 */2 * 1", "2026-11-27T00:00:00Z", "2026-12-07T00:00:00.000Z"],
    ["0 0 ? * 1", "2026-11-27T00:00:00Z", "2026-11-30T00:00:00.000Z"],
  ])("%s after %s", (spec, after, want) => {
    expect(next(spec, after)).toBe(want);
  });

  test.each([
    ["@hourly", "2026-01-01T10:20:00Z", "2026-01-01T11:00:00.000Z"],
    ["@daily", "2026-01-01T10:20:00Z", "2026-01-02T00:00:00.000Z"],
    ["@midnight", "2026-01-01T10:20:00Z", "2026-01-02T00:00:00.000Z"],
    ["@weekly", "2026-11-27T10:20:00Z", "2026-11-29T00:00:00.000Z"],
    ["@monthly", "2026-11-27T10:20:00Z", "2026-12-01T00:00:00.000Z"],
    ["@yearly", "2026-11-27T10:20:00Z", "2027-01-01T00:00:00.000Z"],
    ["@annually", "2026-11-27T10:20:00Z", "2027-01-01T00:00:00.000Z"],
    ["@every 90s", "2026-01-01T10:00:00Z", "2026-01-01T10:01:30.000Z"],
    ["@every 1h", "2026-01-01T10:00:00Z", "2026-01-01T11:00:00.000Z"],
  ])("%s after %s", (spec, after, want) => {
    expect(next(spec, after)).toBe(want);
  });

  test("time zones read the wall clock there", () => {
    expect(next("0 9 * * *", "2026-11-27T12:00:00Z", "Europe/Berlin")).toBe("2026-11-28T08:00:00.000Z");
    expect(next("0 9 * * *", "2026-07-01T12:00:00Z", "Europe/Berlin")).toBe("2026-07-02T07:00:00.000Z");
    expect(next("30 * * * *", "2026-01-01T00:00:00Z", "Asia/Kolkata")).toBe("2026-01-01T00:00:00.000Z".replace("00:00:00", "01:00:00"));
    expect(next("0 0 * * *", "2026-01-01T00:00:00Z", "UTC")).toBe("2026-01-02T00:00:00.000Z");
  });

  test("consecutive runs advance", () => {
    const s = parseCronSchedule("*/5 * * * *");
    let t = at("2026-01-01T00:00:00Z");
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      t = s.next(t);
      seen.push(t.toISOString().slice(11, 16));
    }
    expect(seen).toEqual(["00:05", "00:10", "00:15"]);
  });

  test.each([
    "",
    "* * * *",
    "* * * * * *",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * 32 * *",
    "* * * 13 *",
    "* * * * 8",
    "*/0 * * * *",
    "5-1 * * * *",
    "a * * * *",
    "* * * foo *",
    "1,,2 * * * *",
    "? * * * *",
    "@sometimes",
    "@every",
    "@every 10ms",
    "@every bogus",
    "0 0 30 2 *",
    "TZ=UTC * * * * *",
    "CRON_TZ=UTC 0 * * * *",
  ])("rejects %p", (spec) => {
    expect(() => parseCronSchedule(spec)).toThrow(ApiError);
  });

  test("rejects an unknown time zone", () => {
    expect(() => parseCronSchedule("* * * * *", "Mars/Olympus")).toThrow(/time zone/);
  });
});
