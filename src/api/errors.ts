// The one error type of skiff. Anything that fails for a reason a client should
// see throws an ApiError; the server turns it into a Kubernetes Status, and the
// HTTP client turns a Status back into an ApiError, so both sides of the wire
// handle failures the same way.
import type { Status, StatusCause } from "./types.ts";

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "RequestEntityTooLarge"
  | "UnsupportedMediaType"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "Timeout"
  | "TooManyRequests"
  | "ServiceUnavailable"
  | "InternalError";

export interface ErrorDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: StatusReason,
    message: string,
    readonly details?: ErrorDetails,
  ) {
    super(message);
    this.name = "ApiError";
  }

  toStatus(): Status {
    const status: Status = {
      apiVersion: "v1",
      kind: "Status",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason,
      code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }

  static fromStatus(status: Partial<Status>, httpCode: number): ApiError {
    const code = typeof status.code === "number" ? status.code : httpCode;
    const reason = (status.reason as StatusReason | undefined) ?? reasonForCode(code);
    return new ApiError(code, reason, status.message ?? `request failed with HTTP ${code}`, status.details);
  }

  // Constructors, phrased like the Kubernetes API server's messages so that
  // users and client libraries see what they expect.

  static badRequest(message: string): ApiError {
    return new ApiError(400, "BadRequest", message);
  }

  static unauthorized(message = "Unauthorized"): ApiError {
    return new ApiError(401, "Unauthorized", message);
  }

  static forbidden(message: string): ApiError {
    return new ApiError(403, "Forbidden", message);
  }

  /** `resource` is the plural with its group, e.g. "pods" or "deployments.apps". */
  static notFound(resource: string, name: string): ApiError {
    return new ApiError(404, "NotFound", `${resource} "${name}" not found`, { name, kind: resource });
  }

  static alreadyExists(resource: string, name: string): ApiError {
    return new ApiError(409, "AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource });
  }

  static conflict(resource: string, name: string, why = "the object has been modified; please apply your changes to the latest version and try again"): ApiError {
    return new ApiError(409, "Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
  }

  static gone(message: string): ApiError {
    return new ApiError(410, "Gone", message);
  }

  static invalid(kind: string, name: string, causes: StatusCause[]): ApiError {
    const summary = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)).join(", ");
    return new ApiError(422, "Invalid", `${kind} "${name}" is invalid: ${summary}`, { name, kind, causes });
  }

  static tooLarge(message = "request entity too large"): ApiError {
    return new ApiError(413, "RequestEntityTooLarge", message);
  }

  static unsupportedMediaType(contentType: string): ApiError {
    return new ApiError(415, "UnsupportedMediaType", `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/merge-patch+json, application/json-patch+json (got ${contentType || "none"})`);
  }

  static methodNotAllowed(verb: string, resource: string): ApiError {
    return new ApiError(405, "MethodNotAllowed", `${verb} is not supported on resources of kind ${resource}`);
  }

  static tooManyRequests(message: string, retryAfterSeconds = 1): ApiError {
    return new ApiError(429, "TooManyRequests", message, { retryAfterSeconds });
  }

  static unavailable(message: string): ApiError {
    return new ApiError(503, "ServiceUnavailable", message);
  }

  static internal(message: string): ApiError {
    return new ApiError(500, "InternalError", message);
  }
}

export function reasonForCode(code: number): StatusReason {
  switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "InternalError";
  }
}

export function isApiError(err: unknown, reason?: StatusReason): err is ApiError {
  return err instanceof ApiError && (reason === undefined || err.reason === reason);
}
