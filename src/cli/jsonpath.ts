// -o jsonpath=TEMPLATE: the subset of kubectl's JSONPath templates scripts use —
// text with {.field.path}, [n], [*], ['key'], {range ...}{end} and {"literal"}.
// Missing fields print nothing, as kubectl does for `get`.
import { ApiError } from "../api/errors.ts";

type Step = { field: string } | { index: number } | { all: true };

type TemplateNode =
  | { type: "text"; text: string }
  | { type: "path"; steps: Step[] }
  | { type: "range"; steps: Step[]; body: TemplateNode[] };

function bad(template: string, why: string): ApiError {
  return ApiError.badRequest(`error parsing jsonpath ${template}: ${why}`);
}

/** ".a.b[0]['c.d'][*]" → steps. "@", "$" and "." alone mean the current value. */
export function parsePath(expr: string, template = expr): Step[] {
  let s = expr.trim();
  if (s.startsWith("$") || s.startsWith("@")) s = s.slice(1);
  const steps: Step[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ".") {
      i++;
      let name = "";
      while (i < s.length && s[i] !== "." && s[i] !== "[") {
        if (s[i] === "\\" && i + 1 < s.length) i++;
        name += s[i++];
      }
      if (name) steps.push({ field: name });
      continue;
    }
    if (c === "[") {
      const close = s.indexOf("]", i);
      if (close < 0) throw bad(template, `unclosed [ in "${expr}"`);
      const inner = s.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === "*") steps.push({ all: true });
      else if (/^-?\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (/^(['"]).*\1$/.test(inner)) steps.push({ field: inner.slice(1, -1) });
      else throw bad(template, `unsupported subscript [${inner}]`);
      continue;
    }
    throw bad(template, `unexpected "${c}" in "${expr}"`);
  }
  return steps;
}

export function evaluatePath(root: unknown, steps: Step[]): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of current) {
      if ("all" in step) {
        if (Array.isArray(v)) next.push(...v);
        else if (v && typeof v === "object") next.push(...Object.values(v));
      } else if ("index" in step) {
        if (!Array.isArray(v)) continue;
        const item = v[step.index < 0 ? v.length + step.index : step.index];
        if (item !== undefined) next.push(item);
      } else if (v && typeof v === "object" && !Array.isArray(v) && step.field in v) {
        next.push((v as Record<string, unknown>)[step.field]);
      }
    }
    current = next;
  }
  return current;
}

function parseLiteral(body: string, template: string): string {
  try {
    return body.startsWith("'") ? body.slice(1, -1) : (JSON.parse(body) as string);
  } catch {
    throw bad(template, `bad string literal ${body}`);
  }
}

export function parseTemplate(template: string): TemplateNode[] {
  const root: TemplateNode[] = [];
  const stack: TemplateNode[][] = [root];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf("{", i);
    const top = stack[stack.length - 1];
    if (open < 0) {
      top.push({ type: "text", text: template.slice(i) });
      break;
    }
    if (open > i) top.push({ type: "text", text: template.slice(i, open) });
    let close = open + 1;
    let quote = "";
    for (; close < template.length; close++) {
      const c = template[close];
      if (quote) {
        if (c === "\\") close++;
        else if (c === quote) quote = "";
      } else if (c === '"' || c === "'") quote = c;
      else if (c === "}") break;
    }
    if (close >= template.length) throw bad(template, "unclosed {");
    const body = template.slice(open + 1, close).trim();
    i = close + 1;
    if (body === "end") {
      if (stack.length === 1) throw bad(template, "{end} without {range}");
      stack.pop();
    } else if (body.startsWith("range ")) {
      const node: TemplateNode = { type: "range", steps: parsePath(body.slice(6), template), body: [] };
      top.push(node);
      stack.push(node.body);
    } else if (body.startsWith('"') || body.startsWith("'")) {
      top.push({ type: "text", text: parseLiteral(body, template) });
    } else {
      top.push({ type: "path", steps: parsePath(body, template) });
    }
  }
  if (stack.length > 1) throw bad(template, "{range} without {end}");
  return root;
}

function show(v: unknown): string {
  if (typeof v === "string") return v;
  if (v === null || v === undefined) return "";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

function execute(nodes: TemplateNode[], value: unknown): string {
  let out = "";
  for (const n of nodes) {
    if (n.type === "text") out += n.text;
    else if (n.type === "path") out += evaluatePath(value, n.steps).map(show).join(" ");
    else for (const item of evaluatePath(value, n.steps)) out += execute(n.body, item);
  }
  return out;
}

/** Render `template` against `value` (an object, or a List of them). */
export function renderJsonPath(template: string, value: unknown): string {
  return execute(parseTemplate(template), value);
}

/** --sort-by: order objects by the value at a path (numbers numerically, else as text; missing first). */
export function sortByPath<T>(items: T[], expr: string): T[] {
  let path = expr.trim();
  if (path.startsWith("{") && path.endsWith("}")) path = path.slice(1, -1);
  const steps = parsePath(path, expr);
  const key = (item: T): unknown => evaluatePath(item, steps)[0];
  return [...items].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    if (x === undefined || y === undefined) return x === undefined ? (y === undefined ? 0 : -1) : 1;
    if (typeof x === "number" && typeof y === "number") return x - y;
    return show(x).localeCompare(show(y), undefined, { numeric: true });
  });
}
