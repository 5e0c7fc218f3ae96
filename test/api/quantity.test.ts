import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { formatCpuMillis, formatQuantity, isValidQuantity, parseBytes, parseCpuMillis, parseQuantity } from "../../src/api/quantity.ts";

describe("parseQuantity", () => {
  test.each([
    ["500m", 0.5],
    ["2", 2],
    ["1.5", 1.5],
    [".5", 0.5],
    ["100u", 0.0001],
    ["10n", 1e-8],
    ["1k", 1000],
    ["1M", 1e6],
    ["2G", 2e9],
    ["1T", 1e12],
    ["1P", 1e15],
    ["1E", 1e18],
    ["1Ki", 1024],
    ["128Mi", 134217728],
    ["1Gi", 2 ** 30],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["1Ti", 2 ** 40],
    ["1e3", 1000],
    ["1E3", 1000],
    ["5e-3", 0.005],
    ["+3", 3],
    ["-1", -1],
    ["0", 0],
  ] as const)("%s", (s, want) => {
    expect(parseQuantity(s)).toBeCloseTo(want, 12);
    expect(isValidQuantity(s)).toBe(true);
  });

  test.each(["", "abc", "1KB", "1mi", "Mi", "1 Mi", " 1", "1..5", "1e", "--1", "1Kii", "0x10"])("rejects %p", (s) => {
    expect(isValidQuantity(s)).toBe(false);
    expect(() => parseQuantity(s)).toThrow(ApiError);
  });

  test("numbers are accepted as is", () => {
    expect(parseQuantity(3)).toBe(3);
    expect(isValidQuantity(Number.NaN)).toBe(false);
    expect(isValidQuantity(null)).toBe(false);
  });
});

describe("cpu and bytes", () => {
  test("millicores round up without float noise", () => {
    expect(parseCpuMillis("250m")).toBe(250);
    expect(parseCpuMillis("1")).toBe(1000);
    expect(parseCpuMillis("0.1")).toBe(100);
    expect(parseCpuMillis("1.1")).toBe(1100);
    expect(parseCpuMillis("100u")).toBe(1);
    expect(parseCpuMillis("2.5")).toBe(2500);
  });

  test("bytes", () => {
    expect(parseBytes("128Mi")).toBe(134217728);
    expect(parseBytes("1G")).toBe(1e9);
    expect(parseBytes("0.5Ki")).toBe(512);
  });
});

describe("formatQuantity", () => {
  test.each([
    [0.5, "DecimalSI", "500m"],
    [2, "DecimalSI", "2"],
    [2000, "DecimalSI", "2k"],
    [1500, "DecimalSI", "1500"],
    [3e9, "DecimalSI", "3G"],
    [0.0001, "DecimalSI", "100u"],
    [134217728, "BinarySI", "128Mi"],
    [1024, "BinarySI", "1Ki"],
    [1000, "BinarySI", "1k"],
    [512, "BinarySI", "512"],
    [0, "DecimalSI", "0"],
    [-0.25, "DecimalSI", "-250m"],
  ] as const)("%p %s → %s", (v, format, want) => {
    expect(formatQuantity(v, format)).toBe(want);
    expect(parseQuantity(want)).toBeCloseTo(v, 12);
  });

  test("cpu millis", () => {
    expect(formatCpuMillis(1500)).toBe("1500m");
    expect(formatCpuMillis(2000)).toBe("2");
    expect(formatCpuMillis(0)).toBe("0");
  });

  test("non-finite values are errors", () => {
    expect(() => formatQuantity(Number.POSITIVE_INFINITY)).toThrow(ApiError);
  });
});
