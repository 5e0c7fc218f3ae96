import { describe, expect, test } from "bun:test";
import { ApiError } from "../../src/api/errors.ts";
import { parseResourceArgs } from "../../src/cli/resource-args.ts";

const simple = (args: string[]) => parseResourceArgs(args).map((t) => `${t.rt.plural}:${t.names.join(",")}`);

describe("parseResourceArgs", () => {
  test("type and names, short names, kinds, qualified names", () => {
    expect(simple(["pods"])).toEqual(["pods:"]);
    expect(simple(["po", "web-1", "web-2"])).toEqual(["pods:web-1,web-2"]);
    expect(simple(["deploy"])).toEqual(["deployments:"]);
    expect(simple(["Deployment"])).toEqual(["deployments:"]);
    expect(simple(["deployments.apps", "web"])).toEqual(["deployments:web"]);
  });

  test("comma lists and all", () => {
    expect(simple(["pods,svc"])).toEqual(["pods:", "services:"]);
    expect(simple(["all"])).toContain("deployments:");
    expect(simple(["all"])).toContain("pods:");
    expect(simple(["all,pods"]).filter((s) => s === "pods:")).toHaveLength(1);
  });

  test("TYPE/NAME form groups consecutive names of one kind", () => {
    expect(simple(["deploy/web", "deployment/api", "svc/web"])).toEqual(["deployments:web,api", "services:web"]);
  });

  test("errors", () => {
    expect(() => parseResourceArgs([])).toThrow(ApiError);
    expect(() => parseResourceArgs(["frobs"])).toThrow('the server doesn\'t have a resource type "frobs"');
    expect(() => parseResourceArgs(["pods", "deploy/web"])).toThrow(/no need to specify a resource type/);
    expect(() => parseResourceArgs(["pods/"])).toThrow(/single resource and name/);
  });
});
