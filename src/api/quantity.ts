// Kubernetes resource quantities ("500m", "128Mi", "1.5", "1e3", "2G").
// Values are plain numbers: CPU in cores (use parseCpuMillis for integer
// millicores), memory in bytes.
import { ApiError } from "./errors.ts";

const suffixes: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

// <sign><digits>[.<digits>] then a suffix, or an exponent (e3, E-2).
const quantityRe = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]))?$/;

/** The value or undefined when `s` is not a quantity. */
function tryParse(s: unknown): number | undefined {
  if (typeof s === "number") return Number.isFinite(s) ? s : undefined;
  if (typeof s !== "string") return undefined;
  const m = quantityRe.exec(s.trim());
  if (!m || s.trim() !== s) return undefined;
  const base = Number.parseFloat(m[1]);
  if (m[2]) return base * 10 ** Number.parseInt(m[2].slice(1), 10);
  return base * suffixes[m[3] ?? ""];
}

export function isValidQuantity(s: unknown): boolean {
  return tryParse(s) !== undefined;
}

/** "500m" → 0.5, "128Mi" → 134217728, "1e3" → 1000. Throws ApiError.badRequest on bad input. */
export function parseQuantity(s: string | number): number {
  const v = tryParse(s);
  if (v === undefined) {
    throw ApiError.badRequest(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$' (got ${JSON.stringify(s)})`);
  }
  return v;
}

/** Millicores, rounded up like Kubernetes' MilliValue: "250m" → 250, "1" → 1000, "0.1" → 100. */
export function parseCpuMillis(s: string | number): number {
  return ceilNoise(parseQuantity(s) * 1000);
}

/** Bytes, rounded up: "128Mi" → 134217728, "1G" → 1e9. */
export function parseBytes(s: string | number): number {
  return ceilNoise(parseQuantity(s));
}

// Floating-point products like 0.1 * 1000 = 100.00000000000001 must not round up.
function ceilNoise(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 * Math.max(1, Math.abs(v)) ? r : Math.ceil(v);
}

export type QuantityFormat = "DecimalSI" | "BinarySI";

const decimalUp: [string, number][] = [
  ["E", 1e18],
  ["P", 1e15],
  ["T", 1e12],
  ["G", 1e9],
  ["M", 1e6],
  ["k", 1e3],
];
const binaryUp: [string, number][] = [
  ["Ei", 2 ** 60],
  ["Pi", 2 ** 50],
  ["Ti", 2 ** 40],
  ["Gi", 2 ** 30],
  ["Mi", 2 ** 20],
  ["Ki", 2 ** 10],
];

/**
 * Canonical text of a value: 0.5 → "500m", 2000 → "2k", 1500 → "1500";
 * BinarySI: 134217728 → "128Mi" (falls back to decimal when not a multiple of 1024).
 */
export function formatQuantity(value: number, format: QuantityFormat = "DecimalSI"): string {
  if (!Number.isFinite(value)) throw ApiError.badRequest(`cannot format ${value} as a quantity`);
  if (value === 0) return "0";
  const sign = value < 0 ? "-" : "";
  const v = Math.abs(value);
  if (Number.isInteger(v)) {
    const table = format === "BinarySI" ? binaryUp : decimalUp;
    for (const [suffix, factor] of table) if (v >= factor && v % factor === 0) return `${sign}${v / factor}${suffix}`;
    if (format === "BinarySI") return formatQuantity(value, "DecimalSI");
    return `${sign}${v}`;
  }
  for (const [suffix, factor] of [["m", 1e3], ["u", 1e6], ["n", 1e9]] as const) {
    const scaled = v * factor;
    const r = Math.round(scaled);
    if (Math.abs(scaled - r) < 1e-6) return `${sign}${r}${suffix}`;
  }
  return `${sign}${Math.ceil(v * 1e9)}n`;
}

/** CPU as kubectl shows it: 1500 → "1500m", 2000 → "2". */
export function formatCpuMillis(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${millis}m`;
}
