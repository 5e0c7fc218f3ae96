// ConfigMap and Secret defaults and validation.
import type { ConfigMap, Secret, StatusCause } from "../types.ts";
import { configKeyErrors, duplicate, forbidden, immutable, invalid, required, tooLong, validateMeta } from "../validation.ts";

/** Kubernetes caps a ConfigMap's or Secret's payload at 1 MiB. */
export const MAX_CONFIG_SIZE = 1024 * 1024;

function validateKeys(data: unknown, field: string): StatusCause[] {
  if (data === undefined || data === null) return [];
  if (typeof data !== "object" || Array.isArray(data)) return [invalid(field, data, "must be a map of keys to strings")];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(data)) {
    for (const e of configKeyErrors(key)) causes.push(invalid(field, key, e));
    if (typeof value !== "string") causes.push(invalid(`${field}[${key}]`, value, "must be a string"));
  }
  return causes;
}

function payloadSize(...maps: (Record<string, string> | undefined)[]): number {
  let size = 0;
  for (const m of maps) for (const [k, v] of Object.entries(m ?? {})) size += k.length + (typeof v === "string" ? v.length : 0);
  return size;
}

/** Once `immutable: true`, data stays and the flag cannot be cleared. */
function validateImmutable(obj: ConfigMap | Secret, old: ConfigMap | Secret | undefined, fields: ("data" | "binaryData")[]): StatusCause[] {
  if (!old?.immutable) return [];
  const causes: StatusCause[] = [];
  if (!obj.immutable) causes.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const f of fields) {
    if (immutable(obj[f], old[f], f).length) causes.push(forbidden(f, "field is immutable when `immutable` is set"));
  }
  return causes;
}

export function validateConfigMap(cm: ConfigMap, old?: ConfigMap): StatusCause[] {
  const causes = validateMeta(cm.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  causes.push(...validateKeys(cm.data, "data"), ...validateKeys(cm.binaryData, "binaryData"));
  for (const key of Object.keys(cm.binaryData ?? {})) {
    if (cm.data && key in cm.data) causes.push(duplicate("data", key));
  }
  if (payloadSize(cm.data, cm.binaryData) > MAX_CONFIG_SIZE) causes.push(tooLong("", MAX_CONFIG_SIZE));
  causes.push(...validateImmutable(cm, old, ["data", "binaryData"]));
  return causes;
}

/** base64 of a UTF-8 string. */
function toBase64(s: string): string {
  return Buffer.from(s, "utf8").toString("base64");
}

const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** type Opaque; stringData folded into data (base64), as the API server does on write. */
export function defaultSecret(secret: Secret): void {
  secret.type ??= "Opaque";
  if (secret.stringData && typeof secret.stringData === "object") {
    secret.data = { ...(secret.data ?? {}) };
    for (const [k, v] of Object.entries(secret.stringData)) if (typeof v === "string") secret.data[k] = toBase64(v);
    delete secret.stringData;
  }
}

const requiredKeys: Record<string, string[]> = {
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
};

export function validateSecret(secret: Secret, old?: Secret): StatusCause[] {
  const causes = validateMeta(secret.metadata, old?.metadata, { namespaced: true, name: "subdomain" });
  causes.push(...validateKeys(secret.data, "data"), ...validateKeys(secret.stringData, "stringData"));
  for (const [key, value] of Object.entries(secret.data ?? {})) {
    if (typeof value === "string" && !base64Re.test(value)) causes.push(invalid(`data[${key}]`, "<value omitted>", "must be base64 encoded"));
  }
  if (payloadSize(secret.data) > MAX_CONFIG_SIZE) causes.push(tooLong("data", MAX_CONFIG_SIZE));
  for (const key of requiredKeys[secret.type ?? ""] ?? []) {
    if (!secret.data?.[key]) causes.push(required(`data[${key}]`));
  }
  if (secret.type === "kubernetes.io/basic-auth" && !secret.data?.username && !secret.data?.password) {
    causes.push(required("data", "one of `username` or `password` is required"));
  }
  if (old && (secret.type ?? "Opaque") !== (old.type ?? "Opaque")) causes.push(invalid("type", secret.type, "field is immutable"));
  causes.push(...validateImmutable(secret, old, ["data"]));
  return causes;
}
