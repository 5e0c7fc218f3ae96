// Every failure leaves the server as a Kubernetes Status object; every success
// as JSON (or YAML when the client asks for it). One place decides both.
import { ApiError } from "../api/errors.ts";
import { toYaml } from "../api/encoding.ts";
import type { Status } from "../api/types.ts";
import { logger } from "../util/log.ts";

const log = logger("apiserver");

/** Any thrown value as an ApiError; unexpected ones are logged and become 500 InternalError. */
export function toApiError(err: unknown, where = ""): ApiError {
  if (err instanceof ApiError) return err;
  log.error("internal error", { where, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined });
  return ApiError.internal(`an internal error occurred${where ? ` handling ${where}` : ""}: ${err instanceof Error ? err.message : String(err)}`);
}

export function statusResponse(err: ApiError, accept?: string | null): Response {
  const headers: Record<string, string> = {};
  if (err.details?.retryAfterSeconds) headers["Retry-After"] = String(err.details.retryAfterSeconds);
  return encode(err.toStatus(), err.code, accept, headers);
}

export function successStatus(message = "", details?: Status["details"]): Status {
  const s: Status = { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success", code: 200 };
  if (message) s.message = message;
  if (details) s.details = details;
  return s;
}

/** The output format the Accept header picks: the first of json/yaml it names; JSON otherwise. */
export function outputFormat(accept: string | null | undefined): "json" | "yaml" {
  if (!accept) return "json";
  for (const part of accept.split(",")) {
    const type = part.split(";")[0]!.trim().toLowerCase();
    if (type === "application/json" || type === "*/*" || type === "application/*") return "json";
    if (type === "application/yaml" || type === "text/yaml" || type === "application/x-yaml") return "yaml";
  }
  return "json";
}

export function encode(body: unknown, code: number, accept?: string | null, headers: Record<string, string> = {}): Response {
  if (outputFormat(accept) === "yaml") {
    return new Response(toYaml(body), { status: code, headers: { ...headers, "Content-Type": "application/yaml" } });
  }
  return new Response(JSON.stringify(body), { status: code, headers: { ...headers, "Content-Type": "application/json" } });
}
