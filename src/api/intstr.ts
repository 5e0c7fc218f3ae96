// Validation of IntOrString values like maxSurge: 3 or "25%" (controllers scale
// them with src/controllers/int-or-percent.ts).
import type { StatusCause } from "./types.ts";
import { invalid } from "./validation.ts";

/** A non-negative integer or "N%"; `maxPercent` caps percentages (e.g. maxUnavailable ≤ 100%). */
export function validateIntOrPercent(value: unknown, field: string, maxPercent?: number): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "number") {
    if (!Number.isInteger(value)) return [invalid(field, value, "must be an integer")];
    return value < 0 ? [invalid(field, value, "must be greater than or equal to 0")] : [];
  }
  if (typeof value !== "string") return [invalid(field, value, "must be an integer or percentage (e.g. '5%')")];
  const m = /^(\d+)%$/.exec(value);
  if (!m) return [invalid(field, value, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')")];
  if (maxPercent !== undefined && Number(m[1]) > maxPercent) return [invalid(field, value, `must not be greater than ${maxPercent}%`)];
  return [];
}

/** True when the value is 0 or "0%". */
export function isZeroIntOrPercent(value: number | string | undefined): boolean {
  return value === 0 || value === "0%" || value === "0";
}
