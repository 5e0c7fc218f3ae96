// maxSurge / maxUnavailable: an absolute number or a percentage of a total.
import { ApiError } from "../api/errors.ts";

/** Kubernetes rounds surge up and unavailability down; the caller says which. */
export function scaledValue(value: number | string | undefined, total: number, roundUp: boolean, fallback: number | string): number {
  const v = value ?? fallback;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    if (/^\d+$/.test(v)) return Number(v);
    throw ApiError.badRequest(`invalid value for IntOrString: ${JSON.stringify(v)}`);
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
