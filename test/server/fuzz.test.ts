// Garbage of every shape, for every kind, through every write verb: the server
// answers 4xx Status objects and never 500s or crashes.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { registry } from "../../src/api/registry.ts";
import { apiVersionOf, type ResourceType } from "../../src/api/resource-type.ts";
import { startTestServer, type TestServer } from "./helpers.ts";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(async () => {
  await t.close();
});

function collection(rt: ResourceType): string {
  const gv = rt.group ? `/apis/${rt.group}/${rt.version}` : `/api/${rt.version}`;
  return rt.namespaced ? `${gv}/namespaces/default/${rt.plural}` : `${gv}/${rt.plural}`;
}

const junkValues: unknown[] = [null, 1, "x", true, [], [1, "a"], {}, { a: { b: [null] } }, -1, 1e308];
const fields = ["spec", "status", "data", "metadata", "subsets", "involvedObject", "target", "type", "stringData"];

describe("fuzzed bodies", () => {
  test("no 500 for any kind, field or verb", async () => {
    const failures: string[] = [];
    const codes = new Map<number, number>();
    for (const rt of registry) {
      const base = { apiVersion: apiVersionOf(rt), kind: rt.kind, metadata: { name: `fz-${rt.singular}` } };
      for (const field of fields) {
        for (const value of junkValues) {
          const body = { ...base, [field]: value };
          const res = await t.req("POST", collection(rt), body);
          codes.set(res.status, (codes.get(res.status) ?? 0) + 1);
          if (res.status >= 500) failures.push(`POST ${rt.kind} ${field}=${JSON.stringify(value)}: ${res.status} ${await res.text()}`);
          const patch = await t.req("PATCH", `${collection(rt)}/fz-${rt.singular}`, { [field]: value }, { "Content-Type": "application/merge-patch+json" });
          if (patch.status >= 500) failures.push(`PATCH ${rt.kind} ${field}=${JSON.stringify(value)}: ${patch.status} ${await patch.text()}`);
          const sub = await t.req("PUT", `${collection(rt)}/fz-${rt.singular}/status`, { ...base, [field]: value });
          if (sub.status >= 500) failures.push(`PUT status ${rt.kind} ${field}=${JSON.stringify(value)}: ${sub.status} ${await sub.text()}`);
        }
      }
      for (const q of ["?labelSelector=a%20in%20(", "?fieldSelector=%3D%3D", "?limit=-1", "?continue=%%%", "?watch=true&resourceVersion=-3", "?watch=true&timeoutSeconds=abc"]) {
        const res = await t.req("GET", `${collection(rt)}${q}`);
        if (res.status >= 500) failures.push(`GET ${rt.kind}${q}: ${res.status}`);
        await res.body?.cancel();
      }
    }
    expect(failures).toEqual([]);
    // Both outcomes happen: the fuzz reaches admission, not just the parser.
    expect(codes.get(201)).toBeGreaterThan(0);
    expect(codes.get(422)).toBeGreaterThan(0);
    expect((await t.req("GET", "/healthz")).status).toBe(200);
  }, 60_000);
});
