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

  test("documents", () => {
    const text = toYamlDocuments([{ apiVersion: "v1", kind: "A", metadata: {} }, { apiVersion: "v1", kind: "B", metadata: {} }]);
    expect(parseManifests(text).map((o) => o.kind)).toEqual(["A", "B"]);
  });
});
