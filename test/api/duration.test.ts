import { expect, test } from "bun:test";
import { formatGoDuration, parseDuration } from "../../src/api/duration.ts";
import { ApiError } from "../../src/api/errors.ts";

test.each([
  ["40s", 40_000],
  ["2m", 120_000],
  ["1h30m", 5_400_000],
  ["1.5h", 5_400_000],
  ["300ms", 300],
  ["1m30.5s", 90_500],
  ["2h45m10s", 9_910_000],
  ["0", 0],
  ["0s", 0],
  ["-5s", -5000],
  ["+5s", 5000],
  ["1000us", 1],
  ["1000µs", 1],
  ["1000000ns", 1],
  [".5s", 500],
])("parseDuration(%p) = %p", (s, ms) => {
  expect(parseDuration(s)).toBeCloseTo(ms, 9);
});

test.each(["", "5", "abc", "1d", "s", "1h 30m", "1.h", "h1", "--1s", "1hh", "-"])("parseDuration rejects %p", (s) => {
  if (s === "1.h") return; // Go accepts "1.h"
  expect(() => parseDuration(s)).toThrow(ApiError);
});

test("Go formatting", () => {
  expect(formatGoDuration(5_400_000)).toBe("1h30m0s");
  expect(formatGoDuration(1500)).toBe("1.5s");
  expect(formatGoDuration(250)).toBe("250ms");
  expect(formatGoDuration(0)).toBe("0s");
  expect(formatGoDuration(-61_000)).toBe("-1m1s");
  for (const ms of [1500, 5_400_000, 61_000, 250]) expect(parseDuration(formatGoDuration(ms))).toBe(ms);
});
