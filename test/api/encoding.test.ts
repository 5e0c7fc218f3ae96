import { describe, expect, test } from "bun:test";
import { parseManifests, parseYaml, toYaml, toYamlDocuments } from "../../src/api/encoding.ts";
import { ApiError } from "../../src/api/errors.ts";

function badRequest(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(400);
    return err as ApiError;
  }
  throw new Error("expected an ApiError");
}

describe("parseManifests", () => {
  test("multi-document YAML with empty documents and comments", () => {
    const text = `# leading comment
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: a
data:
  key: "value: with colon"
---
# only a comment
---

---
apiVersion: apps/v1
kind: Deployment
metadata: { name: b }
...
`;
    const objs = parseManifests(text);
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(["ConfigMap/a", "Deployment/b"]);
    expect(objs[0].data).toEqual({ key: "value: with colon" });
  });

  test("a document on the --- line", () => {
    expect(parseManifests("--- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n")).toHaveLength(1);
  });

  test("JSON object and array", () => {
    expect(parseManifests(JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }))[0].kind).toBe("Pod");
    const arr = parseManifests(JSON.stringify([{ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }, { apiVersion: "v1", kind: "Service", metadata: { name: "s" } }]));
    expect(arr.map((o) => o.kind)).toEqual(["Pod", "Service"]);
  });

  test("List kinds are flattened, typed lists fill in kind and apiVersion", () => {
    const list = { apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Pod", metadata: { name: "a" } }, { apiVersion: "v1", kind: "List", items: [{ apiVersion: "v1", kind: "Secret", metadata: { name: "b" } }] }] };
    expect(parseManifests(JSON.stringify(list)).map((o) => o.metadata.name)).toEqual(["a", "b"]);
    const podList = { apiVersion: "v1", kind: "PodList", metadata: {}, items: [{ metadata: { name: "p" } }] };
    expect(parseManifests(toYaml(podList))[0]).toMatchObject({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } });
  });

  test("missing metadata becomes {}", () => {
    expect(parseManifests("apiVersion: v1\nkind: Namespace\n")[0].metadata).toEqual({});
  });

  test("empty input gives nothing", () => {
    expect(parseManifests("")).toEqual([]);
    expect(parseManifests("---\n---\n# nothing\n")).toEqual([]);
  });

  test("errors name the document", () => {
    expect(badRequest(() => parseManifests("apiVersion: v1\nkind: Pod\n---\nkind: Pod\nmetadata: {name: x}\n", "web.yaml")).message).toContain("web.yaml: document 2 (line 4): apiVersion not set");
    expect(badRequest(() => parseManifests("apiVersion: v1\nmetadata: {}\n")).message).toContain("kind not set");
    expect(badRequest(() => parseManifests("- a\n- b\n")).message).toContain("expected an object");
    expect(badRequest(() => parseManifests("just a string\n")).message).toContain("expected an object");
    expect(badRequest(() => parseManifests("apiVersion: v1\nkind: Pod\nmetadata: [1]\n")).message).toContain("metadata must be an object");
    expect(badRequest(() => parseManifests("a: [1\nb: 2\n")).message).toContain("error parsing");
    expect(badRequest(() => parseYaml("a: [1\nb: 2\n")).message).toContain("error parsing YAML");
  });
});

describe("toYaml", () => {
  test("block YAML that parses back to the same value", () => {
    const obj = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "x", labels: { "app.kubernetes.io/name": "web" } },
      data: { script: "line1\nline2\n", yes: "yes", num: "123", empty: "" },
      list: [{ a: 1 }, "b"],
    };
    const text = toYaml(obj);
    expect(text.endsWith("\n")).toBe(true);
    expect(text).toContain("metadata:\n  name: x\n");
    expect(Bun.YAML.parse(text)).toEqual(obj);
  });

  test("kubectl's layout: lists under their key, multi-line strings as blocks", () => {
    const text = toYaml({ spec: { containers: [{ name: "a", args: ["x", "y"] }] }, data: { script: "#!/bin/sh\necho hi\n", two: "a\nb" } });
    expect(text).toBe(
      ["spec:", "  containers:", "  - name: a", "    args:", "    - x", "    - \"y\"", "data:", "  script: |", "    #!/bin/sh", "    echo hi", "  two: |-", "    a", "    b", ""].join("\n"),
    );
    expect(toYaml({})).toBe("{}\n");
    expect(toYaml([])).toBe("[]\n");
    expect(toYaml("x")).toBe("x\n");
    expect(toYaml({ a: undefined, b: 1 })).toBe("b: 1\n");
  });

  test("round-trips random values exactly", () => {
    // mulberry32: a deterministic generator, so a failure reproduces.
    let seed = 7;
    const rnd = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const pieces = ["a", "yes", "no", "on", "null", "~", "1", "0x1F", "1e3", "-", "- ", ": ", "#", " ", "\n", "\n\n", "\t", "'", '"', "\\", "|", ">", "&a", "*a", "!t", "%", "@", "`", "{", "}", "[", "]", ",", "?", "---", "...", "ü", "✓", "\r", "  "];
    const str = () => Array.from({ length: Math.floor(rnd() * 6) }, () => pieces[Math.floor(rnd() * pieces.length)]).join("");
    const gen = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.4) return [str(), Math.floor(rnd() * 1000) - 500, rnd() < 0.5, null, 1.25][Math.floor(rnd() * 5)];
      if (r < 0.7) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = 0; i < Math.floor(rnd() * 4); i++) o[str() || "k"] = gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 2000; i++) {
      const v = gen(0);
      const text = toYaml(v);
      let back: unknown;
      try {
        back = Bun.YAML.parse(text);
      } catch (err) {
        throw new Error(`toYaml(${JSON.stringify(v)}) does not parse: ${(err as Error).message}\n${text}`);
      }
      if (JSON.stringify(back) !== JSON.stringify(v)) throw new Error(`toYaml(${JSON.stringify(v)}) read back as ${JSON.stringify(back)}\n${text}`);
    }
  });

  test("documents", () => {
    const text = toYamlDocuments([{ apiVersion: "v1", kind: "A", metadata: {} }, { apiVersion: "v1", kind: "B", metadata: {} }]);
    expect(parseManifests(text).map((o) => o.kind)).toEqual(["A", "B"]);
  });
});
