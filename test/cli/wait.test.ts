import { describe, expect, test } from "bun:test";
import type { KubeObject } from "../../src/api/types.ts";
import { conditionMet, parseWaitFor } from "../../src/cli/wait.ts";

const pod = (ready: "True" | "False"): KubeObject => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p" },
  status: { phase: "Running", conditions: [{ type: "Ready", status: ready }] },
});

describe("wait", () => {
  test("parsing --for", () => {
    expect(parseWaitFor("delete")).toEqual({ type: "delete" });
    expect(parseWaitFor("condition=Ready")).toEqual({ type: "condition", condition: "Ready", status: "True" });
    expect(parseWaitFor("condition=Ready=false")).toEqual({ type: "condition", condition: "Ready", status: "false" });
    expect(parseWaitFor("jsonpath={.status.phase}=Running")).toEqual({ type: "jsonpath", template: "{.status.phase}", value: "Running" });
    expect(() => parseWaitFor("jsonpath=.status.phase")).toThrow(/jsonpath=/);
    expect(() => parseWaitFor("ready")).toThrow(/unrecognized --for/);
    expect(() => parseWaitFor("condition=")).toThrow(/condition name/);
  });

  test("conditions, deletion and jsonpath values", () => {
    expect(conditionMet(pod("True"), parseWaitFor("condition=ready"))).toBe(true);
    expect(conditionMet(pod("False"), parseWaitFor("condition=Ready"))).toBe(false);
    expect(conditionMet(pod("False"), parseWaitFor("condition=Ready=False"))).toBe(true);
    expect(conditionMet(undefined, parseWaitFor("condition=Ready"))).toBe(false);
    expect(conditionMet(undefined, parseWaitFor("delete"))).toBe(true);
    expect(conditionMet(pod("True"), parseWaitFor("delete"))).toBe(false);
    expect(conditionMet(pod("True"), parseWaitFor("jsonpath={.status.phase}=Running"))).toBe(true);
    expect(conditionMet(pod("True"), parseWaitFor("jsonpath={.status.phase}=Pending"))).toBe(false);
  });
});
