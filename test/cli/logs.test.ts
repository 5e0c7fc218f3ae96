import { describe, expect, test } from "bun:test";
import { logPath } from "../../src/cli/logs.ts";

describe("skiff logs", () => {
  test("builds the pods/{name}/log path with kubectl's parameters", () => {
    expect(logPath("default", { pod: "web-1" })).toBe("/api/v1/namespaces/default/pods/web-1/log");
    expect(logPath("shop", { pod: "pod/web-1", container: "app", follow: true, tail: 10, previous: true, timestamps: true })).toBe(
      "/api/v1/namespaces/shop/pods/web-1/log?container=app&follow=true&tailLines=10&previous=true&timestamps=true",
    );
    expect(logPath("default", { pod: "web", tail: -1 })).toBe("/api/v1/namespaces/default/pods/web/log");
    expect(logPath("default", { pod: "web", since: "2m", "limit-bytes": 100 })).toBe("/api/v1/namespaces/default/pods/web/log?sinceSeconds=120&limitBytes=100");
  });
  test("bad input is a clear error", () => {
    expect(() => logPath("default", { pod: "deploy/web" })).toThrow(/pod name/);
    expect(() => logPath("default", { pod: "web", tail: -5 })).toThrow(/--tail/);
    expect(() => logPath("default", { pod: "web", since: "soon" })).toThrow();
    expect(() => logPath("default", { pod: "web", "limit-bytes": 0 })).toThrow(/--limit-bytes/);
  });
});
