// Shared validators, phrased like the Kubernetes API server's field errors.
// Each returns StatusCause[] (empty when valid) with a field path, so a kind's
// validate() is a concatenation of these.
import type { ObjectMeta, StatusCause } from "./types.ts";

// ---- causes -------------------------------------------------------------------

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : JSON.stringify(value) ?? String(value);
}

export function required(field: string, detail?: string): StatusCause {
  return { reason: "FieldValueRequired", field, message: detail ? `Required value: ${detail}` : "Required value" };
}

export function invalid(field: string, value: unknown, detail: string): StatusCause {
  return { reason: "FieldValueInvalid", field, message: `Invalid value: ${show(value)}: ${detail}` };
}

export function notSupported(field: string, value: unknown, allowed: readonly string[]): StatusCause {
  return { reason: "FieldValueNotSupported", field, message: `Unsupported value: ${show(value)}: supported values: ${allowed.map((a) => JSON.stringify(a)).join(", ")}` };
}

export function duplicate(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueDuplicate", field, message: `Duplicate value: ${show(value)}` };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: "FieldValueForbidden", field, message: `Forbidden: ${detail}` };
}

export function tooLong(field: string, max: number): StatusCause {
  return { reason: "FieldValueTooLong", field, message: `Too long: may not be more than ${max} bytes` };
}

// ---- names ----------------------------------------------------------------------

const dns1123LabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123SubdomainRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const qualifiedNameRe = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValueRe = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export const DNS1123_LABEL_MESSAGE =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
export const DNS1123_SUBDOMAIN_MESSAGE =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_NAME_MESSAGE =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MESSAGE =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && dns1123LabelRe.test(s);
}

export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && dns1123SubdomainRe.test(s);
}

/** Problems with a DNS-1123 label (empty when valid). */
export function dns1123LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push("must be no more than 63 characters");
  if (!dns1123LabelRe.test(s)) errs.push(DNS1123_LABEL_MESSAGE);
  return errs;
}

export function dns1123SubdomainErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 253) errs.push("must be no more than 253 characters");
  if (!dns1123SubdomainRe.test(s)) errs.push(DNS1123_SUBDOMAIN_MESSAGE);
  return errs;
}

/** Problems with a qualified name ("app", "example.com/app"): label and annotation keys. */
export function qualifiedNameErrors(s: string): string[] {
  const parts = s.split("/");
  let name = s;
  const errs: string[] = [];
  if (parts.length > 2) return [`a qualified name ${QUALIFIED_NAME_MESSAGE} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  if (parts.length === 2) {
    const [prefix, rest] = parts;
    name = rest;
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else for (const e of dns1123SubdomainErrors(prefix)) errs.push(`prefix part ${e}`);
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push("name part must be no more than 63 characters");
  if (name.length > 0 && !qualifiedNameRe.test(name)) errs.push(QUALIFIED_NAME_MESSAGE);
  return errs;
}

export function labelValueErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push("must be no more than 63 characters");
  if (!labelValueRe.test(s)) errs.push(LABEL_VALUE_MESSAGE);
  return errs;
}

export function isQualifiedName(s: string): boolean {
  return qualifiedNameErrors(s).length === 0;
}

export function isValidLabelValue(s: string): boolean {
  return labelValueErrors(s).length === 0;
}

// ---- metadata -------------------------------------------------------------------

export function validateLabels(labels: unknown, field: string): StatusCause[] {
  if (labels === undefined || labels === null) return [];
  if (typeof labels !== "object" || Array.isArray(labels)) return [invalid(field, labels, "must be a map of string keys to string values")];
  const causes: StatusCause[] = [];
  for (const [key, value] of Object.entries(labels)) {
    for (const e of qualifiedNameErrors(key)) causes.push(invalid(field, key, e));
    if (typeof value !== "string") {
      causes.push(invalid(`${field}[${key}]`, value, "must be a string"));
      continue;
    }
    for (const e of labelValueErrors(value)) causes.push(invalid(`${field}[${key}]`, value, e));
  }
  return causes;
}

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateAnnotations(annotations: unknown, field: string): StatusCause[] {
  if (annotations === undefined || annotations === null) return [];
  if (typeof annotations !== "object" || Array.isArray(annotations)) return [invalid(field, annotations, "must be a map of string keys to string values")];
  const causes: StatusCause[] = [];
  let size = 0;
  for (const [key, value] of Object.entries(annotations)) {
    for (const e of qualifiedNameErrors(key.toLowerCase())) causes.push(invalid(field, key, e));
    if (typeof value !== "string") causes.push(invalid(`${field}[${key}]`, value, "must be a string"));
    size += key.length + (typeof value === "string" ? value.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) causes.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return causes;
}

/** Finalizers Kubernetes knows without a domain prefix. */
const standardFinalizers = new Set(["kubernetes", "orphan", "foregroundDeletion"]);

export type NameRule = "subdomain" | "label" | "dns1035";

export interface MetaRules {
  namespaced: boolean;
  /** Which DNS-1123 rule metadata.name must follow. */
  name: NameRule;
}

/** metadata checks every kind shares: name, namespace, labels, annotations, owner references. */
export function validateObjectMeta(meta: ObjectMeta | undefined, rules: MetaRules): StatusCause[] {
  if (!meta || typeof meta !== "object") return [required("metadata")];
  const causes: StatusCause[] = [];
  const nameErrors = (name: string) =>
    rules.name === "label" ? dns1123LabelErrors(name) : rules.name === "dns1035" ? dns1035LabelErrors(name) : dns1123SubdomainErrors(name);
  if (!meta.name) {
    if (!meta.generateName) causes.push(required("metadata.name", "name or generateName is required"));
    else if (typeof meta.generateName === "string") {
      // The random suffix follows, so a trailing '-' is fine (Kubernetes' maskTrailingDash).
      const prefix = meta.generateName.endsWith("-") ? `${meta.generateName.slice(0, -1)}a` : meta.generateName;
      for (const e of nameErrors(prefix)) causes.push(invalid("metadata.generateName", meta.generateName, e));
    }
  } else if (typeof meta.name !== "string") {
    causes.push(invalid("metadata.name", meta.name, "must be a string"));
  } else {
    for (const e of nameErrors(meta.name)) causes.push(invalid("metadata.name", meta.name, e));
  }
  if (rules.namespaced) {
    if (!meta.namespace) causes.push(required("metadata.namespace"));
    else for (const e of dns1123LabelErrors(meta.namespace)) causes.push(invalid("metadata.namespace", meta.namespace, e));
  } else if (meta.namespace) {
    causes.push(forbidden("metadata.namespace", "not allowed on this type"));
  }
  causes.push(...validateLabels(meta.labels, "metadata.labels"));
  causes.push(...validateAnnotations(meta.annotations, "metadata.annotations"));
  (meta.ownerReferences ?? []).forEach((ref, i) => {
    const f = `metadata.ownerReferences[${i}]`;
    if (!ref.apiVersion) causes.push(required(`${f}.apiVersion`));
    if (!ref.kind) causes.push(required(`${f}.kind`));
    if (!ref.name) causes.push(required(`${f}.name`));
    if (!ref.uid) causes.push(required(`${f}.uid`));
  });
  (meta.finalizers ?? []).forEach((f, i) => {
    const field = `metadata.finalizers[${i}]`;
    for (const e of qualifiedNameErrors(f)) causes.push(invalid(field, f, e));
    if (!f.includes("/") && !standardFinalizers.has(f)) causes.push(invalid(field, f, "name is neither a standard finalizer name nor is it fully qualified"));
  });
  if ((meta.ownerReferences ?? []).filter((r) => r.controller).length > 1) {
    causes.push(invalid("metadata.ownerReferences", "", "Only one reference can have Controller set to true"));
  }
  return causes;
}

/** Update rules every kind shares: name, namespace and uid never change. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta): StatusCause[] {
  const causes: StatusCause[] = [];
  if (meta.name !== old.name) causes.push(invalid("metadata.name", meta.name, "field is immutable"));
  if ((meta.namespace ?? "") !== (old.namespace ?? "")) causes.push(invalid("metadata.namespace", meta.namespace, "field is immutable"));
  if (meta.uid && old.uid && meta.uid !== old.uid) causes.push(invalid("metadata.uid", meta.uid, "field is immutable"));
  return causes;
}

export function validateNonNegative(value: unknown, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "number" || !Number.isInteger(value)) return [invalid(field, value, "must be an integer")];
  return value < 0 ? [invalid(field, value, "must be greater than or equal to 0")] : [];
}

export function validatePositive(value: unknown, field: string): StatusCause[] {
  if (value === undefined || value === null) return [];
  if (typeof value !== "number" || !Number.isInteger(value)) return [invalid(field, value, "must be an integer")];
  return value <= 0 ? [invalid(field, value, "must be greater than 0")] : [];
}

export function validatePortNumber(value: unknown, field: string): StatusCause[] {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    return [invalid(field, value, "must be between 1 and 65535, inclusive")];
  }
  return [];
}

/** IANA service name: used for port names. */
export function portNameErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 15) errs.push("must be no more than 15 characters");
  if (!/^[-a-z0-9]+$/.test(s)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (s.includes("--")) errs.push("must not contain consecutive hyphens");
  if (!/[a-z]/.test(s)) errs.push("must contain at least one letter (a-z)");
  if (s.startsWith("-") || s.endsWith("-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** A JSON object (not null, not an array). */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Deep equality for plain JSON values (immutability checks). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => jsonEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => jsonEqual(ao[k], bo[k]));
}

/** A LabelSelector object's shape: keys, values, operators. */
export function validateLabelSelector(sel: unknown, field: string): StatusCause[] {
  if (sel === undefined || sel === null) return [];
  if (typeof sel !== "object" || Array.isArray(sel)) return [invalid(field, sel, "must be an object with matchLabels and/or matchExpressions")];
  const s = sel as { matchLabels?: unknown; matchExpressions?: unknown };
  const causes = validateLabels(s.matchLabels, `${field}.matchLabels`);
  if (s.matchExpressions === undefined || s.matchExpressions === null) return causes;
  if (!Array.isArray(s.matchExpressions)) return [...causes, invalid(`${field}.matchExpressions`, s.matchExpressions, "must be a list")];
  s.matchExpressions.forEach((raw, i) => {
    const f = `${field}.matchExpressions[${i}]`;
    const expr = (raw ?? {}) as { key?: unknown; operator?: unknown; values?: unknown };
    if (typeof expr.key !== "string" || !expr.key) causes.push(required(`${f}.key`));
    else for (const e of qualifiedNameErrors(expr.key)) causes.push(invalid(`${f}.key`, expr.key, e));
    const values = Array.isArray(expr.values) ? expr.values : [];
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (!values.length) causes.push(required(`${f}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length) causes.push(forbidden(`${f}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        causes.push(notSupported(`${f}.operator`, expr.operator, ["In", "NotIn", "Exists", "DoesNotExist"]));
    }
    values.forEach((v, j) => {
      if (typeof v !== "string") causes.push(invalid(`${f}.values[${j}]`, v, "must be a string"));
      else for (const e of labelValueErrors(v)) causes.push(invalid(`${f}.values[${j}]`, v, e));
    });
  });
  return causes;
}

/** One of `allowed`, or absent. */
export function validateEnum(value: unknown, field: string, allowed: readonly string[], isRequired = false): StatusCause[] {
  if (value === undefined || value === null || value === "") return isRequired ? [required(field)] : [];
  return allowed.includes(value as string) ? [] : [notSupported(field, value, allowed)];
}

const dns1035LabelRe = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Service names: a DNS-1035 label (starts with a letter). */
export function dns1035LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push("must be no more than 63 characters");
  if (!dns1035LabelRe.test(s)) {
    errs.push(
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    );
  }
  return errs;
}

/** Keys of ConfigMap/Secret data: file-name-like. */
export function configKeyErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 253) errs.push("must be no more than 253 characters");
  if (!/^[-._a-zA-Z0-9]+$/.test(s)) errs.push("a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  if (s === "." || s === "..") errs.push(`must not be '${s}'`);
  else if (s.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** metadata on create, plus the immutable identity fields on update. */
export function validateMeta(meta: ObjectMeta | undefined, old: ObjectMeta | undefined, rules: MetaRules): StatusCause[] {
  const causes = validateObjectMeta(meta, rules);
  if (meta && old) causes.push(...validateObjectMetaUpdate(meta, old));
  return causes;
}

export function immutable(value: unknown, old: unknown, field: string): StatusCause[] {
  return jsonEqual(value, old) ? [] : [invalid(field, value ?? null, "field is immutable")];
}
