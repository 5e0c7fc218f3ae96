import { describe, expect, test } from "bun:test";
import { Histogram } from "../../src/server/histogram.ts";

const lines = (h: Histogram) => h.render().filter((l) => !l.startsWith("#"));

describe("Histogram", () => {
  test("renders cumulative buckets, +Inf, sum and count in Prometheus text format", () => {
    const h = new Histogram("x_seconds", "help text", [0.001, 0.01, 0.1]);
    for (const v of [0.0005, 0.001, 0.002, 0.05, 3]) h.observe(v);
    expect(h.render().slice(0, 2)).toEqual(["# HELP x_seconds help text", "# TYPE x_seconds histogram"]);
    expect(lines(h)).toEqual([
      'x_seconds_bucket{le="0.001"} 2', // a value on a bound belongs to that bucket (le)
      'x_seconds_bucket{le="0.01"} 3',
      'x_seconds_bucket{le="0.1"} 4',
      'x_seconds_bucket{le="+Inf"} 5',
      `x_seconds_sum ${0.0005 + 0.001 + 0.002 + 0.05 + 3}`,
      "x_seconds_count 5",
    ]);
  });

  test("empty: zero everywhere", () => {
    expect(lines(new Histogram("e", "h", [1]))).toEqual(['e_bucket{le="1"} 0', 'e_bucket{le="+Inf"} 0', "e_sum 0", "e_count 0"]);
  });

  test("rejects bounds that do not ascend", () => {
    expect(() => new Histogram("bad", "h", [0.1, 0.01])).toThrow(/ascend/);
  });
});
