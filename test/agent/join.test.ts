import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import { caPin, join, JoinError, loadCredentials, parseNodeToken, saveCredentials } from "../../src/agent/join.ts";
import { caHash } from "../../src/server/pki.ts";

const CA = "-----BEGIN CERTIFICATE-----\nfake\n-----END CERTIFICATE-----\n";
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(joinPath(tmpdir(), "skiff-join-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("parseNodeToken", () => {
  test("splits the CA pin from the bearer", () => {
    const hash = "a".repeat(64);
    expect(parseNodeToken(`K10${hash}::node:s3cret\n`)).toEqual({ caHash: hash, bearer: "node:s3cret" });
  });
  test("rejects anything else with a clear message", () => {
    for (const bad of ["", "node:abc", `K10${"a".repeat(63)}::node:x`, `K10${"g".repeat(64)}::node:x`, `K10${"a".repeat(64)}::admin:x`]) {
      expect(() => parseNodeToken(bad)).toThrow(JoinError);
    }
  });
});

test("the agent's CA pin is the server's caHash", async () => {
  expect(await caPin(CA)).toBe(await caHash(CA));
});

describe("join", () => {
  function fakeServer(ca: string, status = 200) {
    const calls: { url: string; auth?: string; body?: string; tls?: unknown }[] = [];
    const fetchFn = async (url: string, init: RequestInit & { tls?: unknown }) => {
      calls.push({ url, auth: new Headers(init.headers).get("authorization") ?? undefined, body: init.body as string | undefined, tls: init.tls });
      if (url.endsWith("/cacerts")) return new Response(ca);
      if (status !== 200) return Response.json({ kind: "Status", message: "invalid token", code: status }, { status });
      return Response.json({ token: "node-cred", certPem: "CERT", keyPem: "KEY" });
    };
    return { calls, fetchFn };
  }

  test("fetches the CA, checks the pin, exchanges the token over the pinned CA", async () => {
    const token = `K10${await caHash(CA)}::node:s3cret`;
    const { calls, fetchFn } = fakeServer(CA);
    const creds = await join({ server: "https://127.0.0.1:6443/", token, nodeName: "n1", nodeIP: "127.0.0.2", fetch: fetchFn });
    expect(creds).toEqual({ server: "https://127.0.0.1:6443", nodeName: "n1", token: "node-cred", caPem: CA, certPem: "CERT", keyPem: "KEY" });
    expect(calls[1]).toMatchObject({ url: "https://127.0.0.1:6443/skiff/v1/join", auth: "Bearer node:s3cret", tls: { ca: CA } });
    expect(JSON.parse(calls[1]!.body!)).toEqual({ nodeName: "n1", nodeIP: "127.0.0.2" });
  });

  test("refuses a server whose CA does not match, without sending the token", async () => {
    const token = `K10${"0".repeat(64)}::node:s3cret`;
    const { calls, fetchFn } = fakeServer(CA);
    await expect(join({ server: "https://x", token, nodeName: "n1", nodeIP: "1.2.3.4", fetch: fetchFn })).rejects.toThrow(/does not match/);
    // Negative assertion: no request with the token goes out after the refusal either (5 ms: it would be immediate).
    await Bun.sleep(5);
    expect(calls.every((c) => c.auth === undefined)).toBe(true);
  });

  test("an unreachable server is retryable; a refusal is not", async () => {
    const token = `K10${await caHash(CA)}::node:s3cret`;
    const down = async () => {
      throw new Error("connection refused");
    };
    const unreachable = await join({ server: "https://x", token, nodeName: "n1", nodeIP: "1.2.3.4", fetch: down }).catch((e: JoinError) => e);
    expect(unreachable).toBeInstanceOf(JoinError);
    expect((unreachable as JoinError).retryable).toBe(true);
    const refused = await join({ server: "https://x", token, nodeName: "n1", nodeIP: "1.2.3.4", fetch: fakeServer(CA, 403).fetchFn }).catch((e: JoinError) => e);
    expect((refused as JoinError).retryable).toBe(false);
  });

  test("a refused token is a clear error", async () => {
    const token = `K10${await caHash(CA)}::node:wrong`;
    const { fetchFn } = fakeServer(CA, 401);
    await expect(join({ server: "https://x", token, nodeName: "n1", nodeIP: "1.2.3.4", fetch: fetchFn })).rejects.toThrow(/refused to join node n1 \(HTTP 401: invalid token\)/);
  });

  test("credentials are stored 0600 and found again for the same server and node only", () => {
    const creds = { server: "https://s", nodeName: "n1", token: "t", caPem: "ca", certPem: "c", keyPem: "k" };
    saveCredentials(dir, creds);
    expect(statSync(joinPath(dir, "agent", "credentials.json")).mode & 0o777).toBe(0o600);
    expect(loadCredentials(dir, "https://s/", "n1")).toEqual(creds);
    expect(loadCredentials(dir, "https://s", "n2")).toBeUndefined();
    expect(loadCredentials(dir, "https://other", "n1")).toBeUndefined();
  });
});
