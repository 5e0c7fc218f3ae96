import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { Events, Nodes, Pods, Secrets } from "../../src/api/registry.ts";
import {
  fieldsMatch,
  labelSelectorFromObject,
  labelSelectorQuery,
  matches,
  nodeSelectorMapMatches,
  nodeSelectorTermMatches,
  nodeSelectorTermsMatch,
  parseFieldSelector,
  parseLabelSelector,
  requiredFieldValue,
  selectorToString,
} from "../../src/api/selectors.ts";
import type { Event, KubeObject, Node, Pod } from "../../src/api/types.ts";

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

describe("parseLabelSelector", () => {
  const web = { app: "web", tier: "front", size: "5" };

  test("empty selects everything", () => {
    expect(matches(parseLabelSelector(""), {})).toBe(true);
    expect(matches(parseLabelSelector("   "), web)).toBe(true);
    expect(matches(parseLabelSelector(""), undefined)).toBe(true);
  });

  test("equality operators", () => {
    expect(matches(parseLabelSelector("app=web"), web)).toBe(true);
    expect(matches(parseLabelSelector("app==web"), web)).toBe(true);
    expect(matches(parseLabelSelector("app=db"), web)).toBe(false);
    expect(matches(parseLabelSelector("app!=db"), web)).toBe(true);
    expect(matches(parseLabelSelector("app!=web"), web)).toBe(false);
    // != also matches objects without the key, as in Kubernetes.
    expect(matches(parseLabelSelector("missing!=x"), web)).toBe(true);
    expect(matches(parseLabelSelector("app = web , tier = front"), web)).toBe(true);
    expect(matches(parseLabelSelector("app=web,tier=back"), web)).toBe(false);
  });

  test("empty value", () => {
    expect(matches(parseLabelSelector("app="), { app: "" })).toBe(true);
    expect(matches(parseLabelSelector("app="), { app: "x" })).toBe(false);
  });

  test("set operators", () => {
    expect(matches(parseLabelSelector("tier in (front,back)"), web)).toBe(true);
    expect(matches(parseLabelSelector("tier in (back)"), web)).toBe(false);
    expect(matches(parseLabelSelector("tier notin (back, db)"), web)).toBe(true);
    expect(matches(parseLabelSelector("tier notin (front)"), web)).toBe(false);
    expect(matches(parseLabelSelector("missing notin (front)"), web)).toBe(true);
    expect(matches(parseLabelSelector("missing in (front)"), web)).toBe(false);
  });

  test("existence", () => {
    expect(matches(parseLabelSelector("app"), web)).toBe(true);
    expect(matches(parseLabelSelector("gpu"), web)).toBe(false);
    expect(matches(parseLabelSelector("!gpu"), web)).toBe(true);
    expect(matches(parseLabelSelector("!app"), web)).toBe(false);
    expect(matches(parseLabelSelector("app,!gpu,tier in (front)"), web)).toBe(true);
  });

  test("gt and lt on integers", () => {
    expect(matches(parseLabelSelector("size>3"), web)).toBe(true);
    expect(matches(parseLabelSelector("size<3"), web)).toBe(false);
    expect(matches(parseLabelSelector("app>3"), web)).toBe(false);
  });

  test("prefixed keys", () => {
    expect(matches(parseLabelSelector("app.kubernetes.io/name=web"), { "app.kubernetes.io/name": "web" })).toBe(true);
  });

  test("bad syntax is a BadRequest naming the problem", () => {
    for (const s of ["app=web,", ",app", "app in (a", "app in a", "app notin", "=web", "app==", "app=web=x", "a b", "app in (a b)", "!", "size>x", "a,,b"]) {
      if (s === "app==") continue; // an empty value is allowed
      const err = badRequest(() => parseLabelSelector(s));
      expect(err.message).toContain("unable to parse requirement");
    }
    expect(badRequest(() => parseLabelSelector("-bad=x")).message).toContain("invalid label key");
    expect(badRequest(() => parseLabelSelector("app=-bad")).message).toContain("invalid label value");
    expect(badRequest(() => parseLabelSelector(`app=${"x".repeat(64)}`)).message).toContain("63");
  });

  test("round-trips through selectorToString", () => {
    const m = parseLabelSelector("tier in (front,back),app=web,!gpu,zone");
    expect(selectorToString(m)).toBe("app=web,!gpu,tier in (back,front),zone");
    const again = parseLabelSelector(selectorToString(m));
    expect(again).toEqual(m);
  });
});

describe("LabelSelector objects", () => {
  test("matchLabels and matchExpressions", () => {
    const m = labelSelectorFromObject({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["front", "back"] },
        { key: "gpu", operator: "DoesNotExist" },
      ],
    });
    expect(matches(m, { app: "web", tier: "back" })).toBe(true);
    expect(matches(m, { app: "web", tier: "back", gpu: "1" })).toBe(false);
    expect(matches(m, { app: "web" })).toBe(false);
  });

  test("empty matches everything, absent matches nothing", () => {
    expect(matches(labelSelectorFromObject({}), { a: "b" })).toBe(true);
    expect(matches(labelSelectorFromObject(undefined), { a: "b" })).toBe(false);
    expect(matches(labelSelectorFromObject(null), {})).toBe(false);
  });

  test("malformed expressions are rejected", () => {
    badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }));
    badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] }));
    badRequest(() => labelSelectorFromObject({ matchExpressions: [{ key: "a", operator: "Bogus" as "In", values: ["x"] }] }));
    badRequest(() => labelSelectorFromObject({ matchLabels: { "bad key": "x" } }));
  });

  test("string forms", () => {
    expect(selectorToString({ matchLabels: { app: "web", tier: "db" } })).toBe("app=web,tier=db");
    expect(selectorToString({ matchExpressions: [{ key: "t", operator: "NotIn", values: ["b", "a"] }] })).toBe("t notin (a,b)");
    expect(selectorToString({ matchExpressions: [{ key: "t", operator: "Exists" }] })).toBe("t");
    expect(selectorToString(undefined)).toBe("<none>");
    expect(selectorToString({})).toBe("<none>");
    expect(labelSelectorQuery({})).toBe("");
    const q = labelSelectorQuery({ matchLabels: { app: "web" }, matchExpressions: [{ key: "t", operator: "In", values: ["a", "b"] }] });
    expect(matches(parseLabelSelector(q), { app: "web", t: "b" })).toBe(true);
    expect(matches(parseLabelSelector(q), { app: "web", t: "c" })).toBe(false);
  });
});

describe("field selectors", () => {
  const pod = (nodeName: string | undefined, phase: string): Pod =>
    ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, spec: { containers: [], nodeName }, status: { phase } }) as Pod;

  test("pod fields", () => {
    const m = parseFieldSelector("spec.nodeName=n1,status.phase!=Failed", Pods);
    expect(fieldsMatch(m, pod("n1", "Running"))).toBe(true);
    expect(fieldsMatch(m, pod("n2", "Running"))).toBe(false);
    expect(fieldsMatch(m, pod("n1", "Failed"))).toBe(false);
    expect(requiredFieldValue(m, "spec.nodeName")).toBe("n1");
    expect(requiredFieldValue(m, "status.phase")).toBeUndefined();
  });

  test("an empty value selects unset fields (unscheduled pods)", () => {
    const m = parseFieldSelector("spec.nodeName=", Pods);
    expect(fieldsMatch(m, pod(undefined, "Pending"))).toBe(true);
    expect(fieldsMatch(m, pod("n1", "Pending"))).toBe(false);
  });

  test("metadata fields on every kind", () => {
    const m = parseFieldSelector("metadata.name==p,metadata.namespace=ns", Secrets);
    expect(fieldsMatch(m, { apiVersion: "v1", kind: "Secret", metadata: { name: "p", namespace: "ns" } })).toBe(true);
    expect(fieldsMatch(m, { apiVersion: "v1", kind: "Secret", metadata: { name: "q", namespace: "ns" } })).toBe(false);
    expect(fieldsMatch(parseFieldSelector("", Secrets), { apiVersion: "v1", kind: "Secret", metadata: {} })).toBe(true);
  });

  test("event and node fields", () => {
    const ev = { apiVersion: "v1", kind: "Event", metadata: { name: "e" }, involvedObject: { kind: "Pod", name: "web-1" }, type: "Warning" } as Event;
    expect(fieldsMatch(parseFieldSelector("involvedObject.kind=Pod,involvedObject.name=web-1,type=Warning", Events), ev)).toBe(true);
    const node = { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, spec: { unschedulable: true } } as Node;
    expect(fieldsMatch(parseFieldSelector("spec.unschedulable=true", Nodes), node)).toBe(true);
    expect(fieldsMatch(parseFieldSelector("spec.unschedulable=false", Nodes), node)).toBe(false);
  });

  test("escaped values", () => {
    const obj: KubeObject = { apiVersion: "v1", kind: "Secret", metadata: { name: "a,b=c" } };
    expect(fieldsMatch(parseFieldSelector("metadata.name=a\\,b\\=c", Secrets), obj)).toBe(true);
  });

  test("unknown fields and bad syntax", () => {
    expect(badRequest(() => parseFieldSelector("spec.bogus=x", Pods)).message).toBe("field label not supported: spec.bogus");
    expect(badRequest(() => parseFieldSelector("spec.nodeName=x", Secrets)).message).toBe("field label not supported: spec.nodeName");
    badRequest(() => parseFieldSelector("spec.nodeName", Pods));
    badRequest(() => parseFieldSelector("metadata.name=a\\x", Pods));
  });
});

describe("node selectors", () => {
  const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", labels: { zone: "a", cores: "8", disk: "ssd" } } };

  test("operators", () => {
    const t = (operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt", key: string, values?: string[]) =>
      nodeSelectorTermMatches({ matchExpressions: [{ key, operator, values }] }, node);
    expect(t("In", "zone", ["a", "b"])).toBe(true);
    expect(t("In", "zone", ["b"])).toBe(false);
    expect(t("NotIn", "zone", ["b"])).toBe(true);
    expect(t("NotIn", "missing", ["b"])).toBe(true);
    expect(t("Exists", "disk")).toBe(true);
    expect(t("DoesNotExist", "disk")).toBe(false);
    expect(t("Gt", "cores", ["4"])).toBe(true);
    expect(t("Gt", "cores", ["8"])).toBe(false);
    expect(t("Lt", "cores", ["16"])).toBe(true);
    expect(t("Lt", "missing", ["16"])).toBe(false);
    expect(t("Gt", "zone", ["1"])).toBe(false);
  });

  test("terms: fields, AND within, OR across, empty matches nothing", () => {
    expect(nodeSelectorTermMatches({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }, node)).toBe(true);
    expect(nodeSelectorTermMatches({ matchFields: [{ key: "metadata.name", operator: "In", values: ["n2"] }] }, node)).toBe(false);
    expect(nodeSelectorTermMatches({}, node)).toBe(false);
    const miss = { matchExpressions: [{ key: "zone", operator: "In" as const, values: ["z"] }] };
    const hit = { matchExpressions: [{ key: "disk", operator: "Exists" as const }] };
    expect(nodeSelectorTermsMatch([miss, hit], node)).toBe(true);
    expect(nodeSelectorTermsMatch([miss], node)).toBe(false);
    expect(nodeSelectorTermMatches({ matchExpressions: [...miss.matchExpressions, ...hit.matchExpressions] }, node)).toBe(false);
  });

  test("nodeSelector maps", () => {
    expect(nodeSelectorMapMatches({ zone: "a" }, node)).toBe(true);
    expect(nodeSelectorMapMatches({ zone: "b" }, node)).toBe(false);
    expect(nodeSelectorMapMatches(undefined, node)).toBe(true);
  });
});
