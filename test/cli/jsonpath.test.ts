import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { parseCustomColumns, renderCustomColumns } from "../../src/cli/custom-columns.ts";
import { parsePath, renderJsonPath, sortByPath } from "../../src/cli/jsonpath.ts";

const pod = {
  metadata: { name: "web-1", labels: { app: "web", "app.kubernetes.io/name": "x" } },
  spec: { containers: [{ name: "a", image: "i1" }, { name: "b", image: "i2" }] },
  status: { phase: "Running", podIP: "10.0.0.1" },
};
const list = { kind: "List", items: [pod, { ...pod, metadata: { name: "web-2" }, status: { phase: "Pending" } }] };

describe("jsonpath", () => {
  test("fields, indexes, wildcards, quoted and escaped keys", () => {
    expect(renderJsonPath("{.status.phase}", pod)).toBe("Running");
    expect(renderJsonPath("{.spec.containers[1].image}", pod)).toBe("i2");
    expect(renderJsonPath("{.spec.containers[-1].name}", pod)).toBe("b");
    expect(renderJsonPath("{.spec.containers[*].name}", pod)).toBe("a b");
    expect(renderJsonPath("{.metadata.labels['app.kubernetes.io/name']}", pod)).toBe("x");
    expect(renderJsonPath("{.metadata.labels.app\\.kubernetes\\.io/name}", pod)).toBe("x");
    expect(renderJsonPath("{.items[*].metadata.name}", list)).toBe("web-1 web-2");
  });

  test("text, literals and range", () => {
    expect(renderJsonPath("ip={.status.podIP}", pod)).toBe("ip=10.0.0.1");
    expect(renderJsonPath('{range .items[*]}{.metadata.name}{"\\t"}{.status.phase}{"\\n"}{end}', list)).toBe("web-1\tRunning\nweb-2\tPending\n");
  });

  test("objects print as JSON; missing fields print nothing", () => {
    expect(renderJsonPath("{.metadata.labels}", { metadata: { labels: { a: "b" } } })).toBe('{"a":"b"}');
    expect(renderJsonPath("{.status.nothing}", pod)).toBe("");
    expect(renderJsonPath("{@.status.phase}", pod)).toBe("Running");
  });

  test("bad templates are clear errors", () => {
    expect(() => renderJsonPath("{.a", pod)).toThrow(ApiError);
    expect(() => renderJsonPath("{range .items[*]}{.x}", list)).toThrow(/without \{end\}/);
    expect(() => parsePath(".a[?(@.x)]")).toThrow(/unsupported subscript/);
  });
});

describe("custom-columns and sort-by", () => {
  const objs = [
    { apiVersion: "v1", kind: "Pod", metadata: { name: "b", labels: { n: "10" } }, spec: { containers: [{ name: "x" }, { name: "y" }] } },
    { apiVersion: "v1", kind: "Pod", metadata: { name: "a", labels: { n: "9" } }, status: { phase: "Running" } },
  ];

  test("columns from paths, lists joined by commas, missing as <none>", () => {
    const cols = parseCustomColumns("NAME:.metadata.name,PHASE:{.status.phase},CONTAINERS:spec.containers[*].name");
    expect(renderCustomColumns(cols, objs)).toBe("NAME   PHASE     CONTAINERS\nb      <none>    x,y\na      Running   <none>\n");
    expect(renderCustomColumns(cols, objs, true)).toStartWith("b ");
    expect(() => parseCustomColumns("NAME")).toThrow(/expected <header>:<json-path-expr>/);
    expect(() => parseCustomColumns("")).toThrow(/no custom columns/);
  });

  test("sort-by orders by the value, numbers in numeric order, missing first", () => {
    expect(sortByPath(objs, ".metadata.name").map((o) => o.metadata.name)).toEqual(["a", "b"]);
    expect(sortByPath(objs, "{.metadata.labels.n}").map((o) => o.metadata.name)).toEqual(["a", "b"]);
    expect(sortByPath(objs, ".status.phase").map((o) => o.metadata.name)).toEqual(["b", "a"]);
  });
});
