// The cluster PKI (src/server/pki.ts): certificates as OpenSSL and Bun's TLS
// read them, CAs made elsewhere, and reissue on restart. kubectl's (Go's
// strict) parser is exercised by test/server/kubectl.test.ts.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { certificateSans, createCA, ipBytes, ipText, issueCertificate, loadCA, loadOrCreatePki, signedBy, type CertificateAuthority } from "../../src/server/pki.ts";

let dir: string;
let ca: CertificateAuthority;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "skiff-pki-"));
  ca = await createCA();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): { code: number; out: string } {
  const r = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

describe("certificates OpenSSL reads", () => {
  test("the CA: self-signed v3, CA:TRUE, cert and CRL signing, a key identifier", () => {
    const r = openssl("x509", "-in", file("ca.crt", ca.certPem), "-noout", "-text");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Version: 3 (0x2)");
    expect(r.out).toContain("Signature Algorithm: ecdsa-with-SHA256");
    expect(r.out).toMatch(/Issuer: CN = skiff-ca@\d+/);
    expect(r.out).toMatch(/Subject: CN = skiff-ca@\d+/);
    expect(r.out).toContain("NIST CURVE: P-256");
    expect(r.out).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
    expect(r.out).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign/);
    expect(r.out).toMatch(/Subject Key Identifier:\s+([0-9A-F]{2}:){19}[0-9A-F]{2}/);
    expect(openssl("verify", "-x509_strict", "-CAfile", "ca.crt", "ca.crt").code).toBe(0);
  });

  test("a leaf: signed by the CA, server and client auth, its SANs, the CA's key id", async () => {
    const leaf = await issueCertificate(ca, "system:node:edge-1", ["edge-1", "10.1.2.3", "fd00::1", "edge-1"]);
    const r = openssl("x509", "-in", file("leaf.crt", leaf.certPem), "-noout", "-text");
    expect(r.code).toBe(0);
    expect(r.out).toContain("Subject: CN = system:node:edge-1");
    expect(r.out).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(r.out).toMatch(/Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(r.out).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(r.out).toContain("DNS:edge-1, IP Address:10.1.2.3, IP Address:FD00:0:0:0:0:0:0:1\n");
    const ski = openssl("x509", "-in", "ca.crt", "-noout", "-ext", "subjectKeyIdentifier").out.trim().split("\n").at(-1)!.trim();
    expect(r.out).toContain(ski);
    for (const purpose of ["sslserver", "sslclient"]) expect(openssl("verify", "-x509_strict", "-purpose", purpose, "-CAfile", "ca.crt", "leaf.crt").out).toContain("leaf.crt: OK");
    expect(openssl("pkey", "-in", file("leaf.key", leaf.keyPem), "-noout").code).toBe(0);
    expect(certificateSans(leaf.certPem)).toEqual(["dns:edge-1", "ip:10.1.2.3", "ip:fd00::1"]);
  });

  test("a leaf does not verify against another CA", async () => {
    const leaf = await issueCertificate(ca, "x", ["x"]);
    const other = await createCA();
    expect(openssl("verify", "-CAfile", file("other.crt", other.certPem), file("x.crt", leaf.certPem)).code).not.toBe(0);
    expect(await signedBy(leaf.certPem, ca)).toBe(true);
    expect(await signedBy(leaf.certPem, other)).toBe(false);
  });

  test("Bun's TLS serves the leaf and a client trusting the CA accepts it", async () => {
    const leaf = await issueCertificate(ca, "skiff-apiserver", ["localhost", "127.0.0.1"]);
    const server = Bun.serve({ hostname: "127.0.0.1", port: 0, tls: { cert: leaf.certPem, key: leaf.keyPem }, fetch: () => new Response("ok") });
    try {
      const res = await fetch(`https://127.0.0.1:${server.port}/`, { tls: { ca: ca.certPem } } as RequestInit);
      expect(await res.text()).toBe("ok");
      const other = await createCA();
      await expect(fetch(`https://127.0.0.1:${server.port}/`, { tls: { ca: other.certPem } } as RequestInit)).rejects.toThrow();
    } finally {
      server.stop(true);
    }
  });
});

describe("a CA made by another tool", () => {
  test("loads, and what it signs verifies with OpenSSL", async () => {
    const made = openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ossl-ca.key", "-subj", "/O=Example/CN=ossl-ca", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-days", "30", "-out", "ossl-ca.crt");
    expect(made.code).toBe(0);
    const foreign = await loadCA(readFileSync(join(dir, "ossl-ca.crt"), "utf8"), readFileSync(join(dir, "ossl-ca.key"), "utf8"));
    const leaf = await issueCertificate(foreign, "n", ["n.example"]);
    file("ossl-leaf.crt", leaf.certPem);
    expect(openssl("verify", "-x509_strict", "-CAfile", "ossl-ca.crt", "ossl-leaf.crt").out).toContain("ossl-leaf.crt: OK");
    // The authority key identifier is the CA's own subject key identifier, as OpenSSL wrote it.
    const ski = openssl("x509", "-in", "ossl-ca.crt", "-noout", "-ext", "subjectKeyIdentifier").out.trim().split("\n").at(-1)!.trim();
    expect(openssl("x509", "-in", "ossl-leaf.crt", "-noout", "-ext", "authorityKeyIdentifier").out).toContain(ski);
    expect(openssl("x509", "-in", "ossl-leaf.crt", "-noout", "-issuer").out).toContain("O = Example, CN = ossl-ca");
  });
});

describe("loadOrCreatePki", () => {
  test("keeps CA and serving certificate across restarts; reissues on new SANs or a CA change", async () => {
    const tls = join(dir, "tls");
    const first = await loadOrCreatePki(tls, ["localhost", "127.0.0.1", "::1"]);
    const again = await loadOrCreatePki(tls, ["::1", "127.0.0.1", "localhost", "localhost"]);
    expect(again.ca.certPem).toBe(first.ca.certPem);
    expect(again.serving.certPem).toBe(first.serving.certPem);
    const more = await loadOrCreatePki(tls, ["localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:2"]);
    expect(more.ca.certPem).toBe(first.ca.certPem);
    expect(more.serving.certPem).not.toBe(first.serving.certPem);
    expect(certificateSans(more.serving.certPem)).toEqual(["dns:localhost", "ip:127.0.0.1", "ip:::1", "ip:::2"]);
    // A serving certificate from another CA (a replaced ca.crt/ca.key) is not kept.
    const other = await createCA();
    writeFileSync(join(tls, "server.crt"), (await issueCertificate(other, "skiff-apiserver", ["localhost", "127.0.0.1", "::1", "::2"])).certPem);
    const fixed = await loadOrCreatePki(tls, ["localhost", "127.0.0.1", "::1", "::2"]);
    expect(await signedBy(fixed.serving.certPem, first.ca)).toBe(true);
  });
});

describe("IP addresses in SANs", () => {
  test("text → bytes → canonical text", () => {
    const cases: [string, string, string][] = [
      ["127.0.0.1", "7f000001", "127.0.0.1"],
      ["::1", "00000000000000000000000000000001", "::1"],
      ["::", "00000000000000000000000000000000", "::"],
      ["fe80::1:2", "fe800000000000000000000000010002", "fe80::1:2"],
      ["2001:db8:0:0:1:0:0:1", "20010db8000000000001000000000001", "2001:db8::1:0:0:1"],
      ["1:2:3:4:5:6:7:8", "00010002000300040005000600070008", "1:2:3:4:5:6:7:8"],
      ["1:0:3:4:5:6:7:8", "00010000000300040005000600070008", "1:0:3:4:5:6:7:8"],
      ["::ffff:10.0.0.1", "00000000000000000000ffff0a000001", "::ffff:a00:1"],
    ];
    for (const [text, bytes, canonical] of cases) {
      expect(Buffer.from(ipBytes(text)).toString("hex")).toBe(bytes);
      expect(ipText(ipBytes(text))).toBe(canonical);
    }
  });
});
