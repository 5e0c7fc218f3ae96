// Label selectors (string and object form), field selectors and node selector
// terms. Parsing throws ApiError.badRequest with a message naming the problem;
// matching is pure.
import { ApiError } from "./errors.ts";
import type { ResourceType } from "./resource-type.ts";
import type { KubeObject, LabelSelector, Node, NodeSelectorRequirement, NodeSelectorTerm } from "./types.ts";
import { labelValueErrors, qualifiedNameErrors } from "./validation.ts";

// ---- label selectors ------------------------------------------------------------

export type LabelOperator = "In" | "NotIn" | "Exists" | "DoesNotExist" | "Equals" | "NotEquals" | "Gt" | "Lt";

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

/**
 * A parsed selector. `nothing` is the selector of an absent LabelSelector
 * object (matches no object, as Kubernetes treats a nil selector); an empty
 * requirement list matches everything.
 */
export interface LabelSelectorMatcher {
  requirements: LabelRequirement[];
  nothing?: boolean;
}

export const everything: LabelSelectorMatcher = { requirements: [] };
export const nothing: LabelSelectorMatcher = { requirements: [], nothing: true };

export function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case "In":
    case "Equals":
      return has && r.values.includes(value as string);
    case "NotIn":
    case "NotEquals":
      return !has || !r.values.includes(value as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    case "Gt":
    case "Lt": {
      if (!has) return false;
      const n = parseIntStrict(value as string);
      const bound = parseIntStrict(r.values[0] ?? "");
      if (n === undefined || bound === undefined) return false;
      return r.operator === "Gt" ? n > bound : n < bound;
    }
  }
}

export function matches(m: LabelSelectorMatcher, labels: Record<string, string> | undefined): boolean {
  if (m.nothing) return false;
  return m.requirements.every((r) => requirementMatches(r, labels));
}

function parseIntStrict(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number.parseInt(s, 10) : undefined;
}

type Token =
  | { kind: "id"; text: string; pos: number }
  | { kind: "op"; text: "=" | "==" | "!=" | "!" | "(" | ")" | "," | ">" | "<"; pos: number }
  | { kind: "end"; pos: number };

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const two = s.slice(i, i + 2);
    if (two === "==" || two === "!=") {
      tokens.push({ kind: "op", text: two, pos: i });
      i += 2;
      continue;
    }
    if ("=!(),<>".includes(c)) {
      tokens.push({ kind: "op", text: c as "=" | "!" | "(" | ")" | "," | "<" | ">", pos: i });
      i++;
      continue;
    }
    const start = i;
    while (i < s.length && !/\s/.test(s[i]) && !"=!(),<>".includes(s[i])) i++;
    tokens.push({ kind: "id", text: s.slice(start, i), pos: start });
  }
  tokens.push({ kind: "end", pos: s.length });
  return tokens;
}

function describe(t: Token): string {
  return t.kind === "end" ? "end of string" : `'${t.text}'`;
}

/**
 * Parse a label selector string: "app=web,tier!=db", "env in (a,b)",
 * "env notin (c)", "gpu", "!gpu", "size>3". Keys and values are checked
 * like Kubernetes does; bad syntax throws ApiError.badRequest.
 */
export function parseLabelSelector(s: string): LabelSelectorMatcher {
  const tokens = tokenize(s);
  let i = 0;
  const fail = (msg: string): never => {
    throw ApiError.badRequest(`unable to parse requirement: invalid label selector ${JSON.stringify(s)}: ${msg}`);
  };
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const requirements: LabelRequirement[] = [];
  if (peek().kind === "end") return { requirements };
  for (;;) {
    let t = next();
    let negated = false;
    if (t.kind === "op" && t.text === "!") {
      negated = true;
      t = next();
    }
    if (t.kind !== "id") fail(`expected a key at position ${t.pos}, found ${describe(t)}`);
    const key = (t as { text: string }).text;
    checkKey(key, fail);
    const after = peek();
    if (negated) {
      requirements.push({ key, operator: "DoesNotExist", values: [] });
    } else if (after.kind === "end" || (after.kind === "op" && after.text === ",")) {
      requirements.push({ key, operator: "Exists", values: [] });
    } else if (after.kind === "op" && (after.text === "=" || after.text === "==" || after.text === "!=")) {
      next();
      const v = peek();
      let value = "";
      if (v.kind === "id") {
        value = v.text;
        next();
      } else if (!(v.kind === "end" || (v.kind === "op" && v.text === ","))) {
        fail(`expected a value at position ${v.pos}, found ${describe(v)}`);
      }
      checkValue(value, fail);
      requirements.push({ key, operator: after.text === "!=" ? "NotEquals" : "Equals", values: [value] });
    } else if (after.kind === "op" && (after.text === ">" || after.text === "<")) {
      next();
      const v = next();
      if (v.kind !== "id" || parseIntStrict(v.text) === undefined) fail(`for '${after.text}' operator, the value must be an integer, found ${describe(v)}`);
      requirements.push({ key, operator: after.text === ">" ? "Gt" : "Lt", values: [(v as { text: string }).text] });
    } else if (after.kind === "id" && (after.text === "in" || after.text === "notin")) {
      next();
      const values = parseValueSet(after.text, next, fail);
      requirements.push({ key, operator: after.text === "in" ? "In" : "NotIn", values: dedupe(values) });
    } else {
      fail(`unexpected ${describe(after)} at position ${after.pos} after key '${key}'`);
    }
    const sep = next();
    if (sep.kind === "end") break;
    if (!(sep.kind === "op" && sep.text === ",")) fail(`expected ',' at position ${sep.pos}, found ${describe(sep)}`);
    if (peek().kind === "end") fail("trailing ','");
  }
  return { requirements: sortRequirements(requirements) };
}

/** The "(a,b,c)" after in/notin; `next` is positioned just past the operator. */
function parseValueSet(operator: string, next: () => Token, fail: (msg: string) => never): string[] {
  const open = next();
  if (!(open.kind === "op" && open.text === "(")) fail(`expected '(' after '${operator}' at position ${open.pos}, found ${describe(open)}`);
  const values: string[] = [];
  for (;;) {
    const v = next();
    if (v.kind === "id") {
      checkValue(v.text, fail);
      values.push(v.text);
    } else if (v.kind === "op" && (v.text === "," || v.text === ")")) {
      // An empty element ("(a,,b)" or "()") is an empty string value, as in Kubernetes.
      values.push("");
      if (v.text === ")") return values;
      continue;
    } else {
      fail(`expected a value or ')' at position ${v.pos}, found ${describe(v)}`);
    }
    const sep = next();
    if (sep.kind === "op" && sep.text === ")") return values;
    if (!(sep.kind === "op" && sep.text === ",")) fail(`expected ',' or ')' at position ${sep.pos}, found ${describe(sep)}`);
  }
}

function dedupe(values: string[]): string[] {
  return [...new Set(values)].sort();
}

function sortRequirements(rs: LabelRequirement[]): LabelRequirement[] {
  return [...rs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function checkKey(key: string, fail: (msg: string) => never): void {
  const errs = qualifiedNameErrors(key);
  if (errs.length) fail(`invalid label key ${JSON.stringify(key)}: ${errs.join("; ")}`);
}

function checkValue(value: string, fail: (msg: string) => never): void {
  const errs = labelValueErrors(value);
  if (errs.length) fail(`invalid label value ${JSON.stringify(value)}: ${errs.join("; ")}`);
}

/**
 * A LabelSelector object (matchLabels + matchExpressions) as a matcher. An absent
 * selector matches nothing; an empty one matches everything. Throws
 * ApiError.badRequest on a malformed expression.
 */
export function labelSelectorFromObject(sel: LabelSelector | undefined | null): LabelSelectorMatcher {
  if (!sel) return nothing;
  const fail = (msg: string): never => {
    throw ApiError.badRequest(`invalid label selector: ${msg}`);
  };
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    checkKey(key, fail);
    checkValue(value, fail);
    requirements.push({ key, operator: "In", values: [value] });
  }
  for (const expr of sel.matchExpressions ?? []) {
    checkKey(expr.key, fail);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
      case "NotIn":
        if (!values.length) fail(`values: Required value: must be specified when \`operator\` is 'In' or 'NotIn' (key ${JSON.stringify(expr.key)})`);
        for (const v of values) checkValue(v, fail);
        break;
      case "Exists":
      case "DoesNotExist":
        if (values.length) fail(`values: Forbidden: may not be specified when \`operator\` is 'Exists' or 'DoesNotExist' (key ${JSON.stringify(expr.key)})`);
        break;
      default:
        fail(`operator: Unsupported value: ${JSON.stringify(expr.operator)}: supported values: "In", "NotIn", "Exists", "DoesNotExist"`);
    }
    requirements.push({ key: expr.key, operator: expr.operator, values: dedupe(values) });
  }
  return { requirements: sortRequirements(requirements) };
}

function requirementToString(r: LabelRequirement): string {
  switch (r.operator) {
    case "Exists":
      return r.key;
    case "DoesNotExist":
      return `!${r.key}`;
    case "Equals":
      return `${r.key}=${r.values[0] ?? ""}`;
    case "NotEquals":
      return `${r.key}!=${r.values[0] ?? ""}`;
    case "Gt":
      return `${r.key}>${r.values[0] ?? ""}`;
    case "Lt":
      return `${r.key}<${r.values[0] ?? ""}`;
    case "In":
      return r.values.length === 1 ? `${r.key}=${r.values[0]}` : `${r.key} in (${[...r.values].sort().join(",")})`;
    case "NotIn":
      return r.values.length === 1 ? `${r.key}!=${r.values[0]}` : `${r.key} notin (${[...r.values].sort().join(",")})`;
  }
}

/**
 * The string form of a selector, as kubectl prints it ("app=web,tier in (a,b)");
 * accepts a LabelSelector object or a parsed matcher. "<none>" for an absent
 * selector, "" for an empty one... as kubectl: an empty object prints "<none>" too.
 */
export function selectorToString(sel: LabelSelector | LabelSelectorMatcher | undefined | null): string {
  if (!sel) return "<none>";
  let m: LabelSelectorMatcher;
  if ("requirements" in sel) m = sel as LabelSelectorMatcher;
  else {
    try {
      m = labelSelectorFromObject(sel as LabelSelector);
    } catch {
      return "<error>";
    }
  }
  if (m.nothing || m.requirements.length === 0) return "<none>";
  return m.requirements.map(requirementToString).join(",");
}

/** A query-string form (what `?labelSelector=` takes) of a LabelSelector object; "" for everything. */
export function labelSelectorQuery(sel: LabelSelector): string {
  const m = labelSelectorFromObject(sel);
  return m.requirements.map(requirementToString).join(",");
}

// ---- field selectors --------------------------------------------------------------

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
  get: (obj: KubeObject) => string;
}

export interface FieldSelectorMatcher {
  requirements: FieldRequirement[];
}

const metadataFields: Record<string, (obj: KubeObject) => string | undefined> = {
  "metadata.name": (o) => o.metadata?.name,
  "metadata.namespace": (o) => o.metadata?.namespace,
};

/** Split on separators not escaped with a backslash. */
function splitUnescaped(s: string, sep: string): string[] {
  const parts: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === sep) {
      parts.push(cur);
      cur = "";
    } else cur += s[i];
  }
  parts.push(cur);
  return parts;
}

function unescapeFieldValue(s: string, whole: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== "\\") {
      out += s[i];
      continue;
    }
    const n = s[i + 1];
    if (n === undefined || !"\\,=".includes(n)) throw ApiError.badRequest(`invalid field selector ${JSON.stringify(whole)}: invalid escape sequence`);
    out += n;
    i++;
  }
  return out;
}

/**
 * Parse "spec.nodeName=n1,status.phase!=Failed" against the fields `rt` allows
 * (plus metadata.name and metadata.namespace). An unknown field throws
 * ApiError.badRequest `field label not supported: X`.
 */
export function parseFieldSelector(s: string, rt: Pick<ResourceType, "selectableFields">): FieldSelectorMatcher {
  const requirements: FieldRequirement[] = [];
  if (s.trim() === "") return { requirements };
  const fields = rt.selectableFields as Record<string, (obj: KubeObject) => string | undefined> | undefined;
  for (const part of splitUnescaped(s, ",")) {
    const term = part.trim();
    const m = /^((?:[^\\=!]|\\.)*?)(!=|==|=)(.*)$/s.exec(term);
    if (!m) throw ApiError.badRequest(`invalid field selector ${JSON.stringify(s)}: ${JSON.stringify(term)} is not a selector term (expected field=value, field==value or field!=value)`);
    const field = m[1].trim();
    const getter = metadataFields[field] ?? fields?.[field];
    if (!getter) throw ApiError.badRequest(`field label not supported: ${field}`);
    requirements.push({
      field,
      operator: m[2] === "!=" ? "!=" : "=",
      value: unescapeFieldValue(m[3], s),
      get: (obj) => getter(obj) ?? "",
    });
  }
  return { requirements };
}

export function fieldsMatch(m: FieldSelectorMatcher, obj: KubeObject): boolean {
  return m.requirements.every((r) => (r.get(obj) === r.value) === (r.operator === "="));
}

/** The value a field selector requires with `=` (e.g. spec.nodeName for a kubelet's watch), if any. */
export function requiredFieldValue(m: FieldSelectorMatcher, field: string): string | undefined {
  return m.requirements.find((r) => r.field === field && r.operator === "=")?.value;
}

// ---- node selectors ----------------------------------------------------------------

/** One node selector requirement against a label (or field) map, with Gt/Lt on integers. */
export function nodeSelectorRequirementMatches(req: NodeSelectorRequirement, labels: Record<string, string> | undefined): boolean {
  return requirementMatches({ key: req.key, operator: req.operator, values: req.values ?? [] }, labels);
}

/** A term matches when all its expressions (labels) and fields (metadata.name) match; an empty term matches nothing. */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (!exprs.length && !fields.length) return false;
  const labels = node.metadata.labels ?? {};
  const nodeFields = { "metadata.name": node.metadata.name ?? "" };
  return exprs.every((r) => nodeSelectorRequirementMatches(r, labels)) && fields.every((r) => nodeSelectorRequirementMatches(r, nodeFields));
}

/** Terms are ORed. */
export function nodeSelectorTermsMatch(terms: NodeSelectorTerm[], node: Node): boolean {
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

/** pod.spec.nodeSelector: every key/value must be on the node. */
export function nodeSelectorMapMatches(selector: Record<string, string> | undefined, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);
}
