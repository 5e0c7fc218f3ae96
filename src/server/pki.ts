// The cluster's certificate authority and the certificates it signs: the API
// server's serving certificate and the kubelets' serving certificates.
// ECDSA P-256 throughout (small, fast, accepted by Bun.serve/BoringSSL and by
// kubectl). Keys are PKCS#8 PEM files with mode 0600 under DIR/tls.
// Certificates are built with WebCrypto and our own DER encoder (der.ts).
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";
import * as der from "./der.ts";
import type { Bytes } from "./der.ts";

const keyAlgorithm = { name: "ECDSA", namedCurve: "P-256" };
const signingAlgorithm = { name: "ECDSA", hash: "SHA-256" };
const dayMs = 24 * 3600 * 1000;

const oids = {
  ecdsaWithSha256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};

/** KeyUsage bit numbers (RFC 5280 4.2.1.3). */
const keyUsage = { digitalSignature: 0, keyEncipherment: 2, keyCertSign: 5, cRLSign: 6 };

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  /** The CA's subject Name, DER: the issuer of what it signs. */
  subject: Bytes;
  /** Its subject key identifier: the authority key identifier of what it signs. */
  keyId: Bytes;
  key: CryptoKey;
}

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** What pki needs to read back from a certificate. */
interface ParsedCertificate {
  tbs: Bytes;
  issuer: Bytes;
  subject: Bytes;
  /** SubjectPublicKeyInfo, DER. */
  spki: Bytes;
  /** Extension values (the OCTET STRING's contents) by OID. */
  extensions: Map<string, Bytes>;
  /** The signature as WebCrypto takes it (r || s). */
  signature: Bytes;
}

function parseCertificate(certPem: string): ParsedCertificate {
  const [tbsEl, , sigEl] = der.children(der.readElement(der.fromPem(certPem, "CERTIFICATE")));
  if (!tbsEl || !sigEl) throw new Error("not an X.509 certificate");
  const fields = der.children(tbsEl);
  const rest = fields[0]?.tag === 0xa0 ? fields.slice(1) : fields; // [0] version
  const [, , issuer, , subject, spki, ...optional] = rest;
  if (!issuer || !subject || !spki) throw new Error("not an X.509 certificate");
  const extensions = new Map<string, Bytes>();
  const extsEl = optional.find((e) => e.tag === 0xa3);
  for (const ext of extsEl ? der.children(der.children(extsEl)[0]!) : []) {
    const parts = der.children(ext);
    extensions.set(der.oidText(parts[0]!.contents), parts[parts.length - 1]!.contents);
  }
  return { tbs: tbsEl.encoded, issuer: issuer.encoded, subject: subject.encoded, spki: spki.encoded, extensions, signature: rawSignature(sigEl.contents.subarray(1)) };
}

/** ECDSA-Sig-Value (DER) from WebCrypto's r || s. */
function derSignature(raw: Bytes): Bytes {
  const half = raw.length / 2;
  return der.sequence(der.unsignedInteger(raw.subarray(0, half)), der.unsignedInteger(raw.subarray(half)));
}

/** WebCrypto's r || s (P-256: 32 bytes each) from an ECDSA-Sig-Value. */
function rawSignature(sig: Bytes): Bytes {
  const out = new Uint8Array(64);
  der.children(der.readElement(sig)).forEach((int, i) => {
    const bytes = int.contents.subarray(Math.max(0, int.contents.length - 32));
    out.set(bytes, 32 * (i + 1) - bytes.length);
  });
  return out;
}

/** RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
async function keyIdentifier(spki: Bytes): Promise<Bytes> {
  const keyBits = der.children(der.readElement(spki))[1]!.contents.subarray(1);
  return new Uint8Array(await crypto.subtle.digest("SHA-1", keyBits));
}

function name(commonName: string): Bytes {
  return der.sequence(der.set(der.sequence(der.oid(oids.commonName), der.utf8String(commonName))));
}

function extension(id: string, critical: boolean, value: Bytes): Bytes {
  return der.sequence(der.oid(id), ...(critical ? [der.boolean(true)] : []), der.octetString(value));
}

function randomSerial(): Bytes {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = (bytes[0]! & 0x7f) | 0x40; // positive, and 16 bytes long in DER
  return bytes;
}

interface CertificateSpec {
  subject: Bytes;
  issuer: Bytes;
  spki: Bytes;
  years: number;
  extensions: Bytes[];
  signingKey: CryptoKey;
}

async function signCertificate(s: CertificateSpec): Promise<string> {
  const now = Date.now();
  const algorithm = der.sequence(der.oid(oids.ecdsaWithSha256));
  const tbs = der.sequence(
    der.explicit(0, der.smallInteger(2)), // v3
    der.unsignedInteger(randomSerial()),
    algorithm,
    s.issuer,
    der.sequence(der.time(new Date(now - 3600_000)), der.time(new Date(now + s.years * 365 * dayMs))),
    s.subject,
    s.spki,
    der.explicit(3, der.sequence(...s.extensions)),
  );
  const signature = new Uint8Array(await crypto.subtle.sign(signingAlgorithm, s.signingKey, tbs));
  return der.toPem(der.sequence(tbs, algorithm, der.bitString(derSignature(signature))), "CERTIFICATE");
}

async function newKeyPair(): Promise<{ keys: CryptoKeyPair; spki: Bytes }> {
  const keys = (await crypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  return { keys, spki: new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)) };
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return der.toPem(new Uint8Array(await crypto.subtle.exportKey("pkcs8", key)), "PRIVATE KEY");
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", der.fromPem(pem, "PRIVATE KEY"), keyAlgorithm, true, ["sign"]);
}

export async function createCA(commonName = "skiff-ca", years = 10): Promise<CertificateAuthority> {
  const { keys, spki } = await newKeyPair();
  const subject = name(`${commonName}@${Math.floor(Date.now() / 1000)}`);
  const keyId = await keyIdentifier(spki);
  const certPem = await signCertificate({
    subject,
    issuer: subject,
    spki,
    years,
    signingKey: keys.privateKey,
    extensions: [
      extension(oids.basicConstraints, true, der.sequence(der.boolean(true))),
      extension(oids.keyUsage, true, der.namedBits([keyUsage.keyCertSign, keyUsage.cRLSign, keyUsage.digitalSignature])),
      extension(oids.subjectKeyIdentifier, false, der.octetString(keyId)),
    ],
  });
  return { certPem, keyPem: await exportKeyPem(keys.privateKey), subject, keyId, key: keys.privateKey };
}

/** A CA from its PEM files. */
export async function loadCA(certPem: string, keyPem: string): Promise<CertificateAuthority> {
  const cert = parseCertificate(certPem);
  const ski = cert.extensions.get(oids.subjectKeyIdentifier);
  const keyId = ski ? der.readElement(ski).contents : await keyIdentifier(cert.spki);
  return { certPem, keyPem, subject: cert.subject, keyId, key: await importKeyPem(keyPem) };
}

/** GeneralNames for a subjectAltName: IP addresses as iPAddress, everything else as dNSName. */
function generalNames(names: string[]): Bytes {
  return der.sequence(...uniqueNames(names).map((n) => (isIP(n) ? der.implicit(7, ipBytes(n)) : der.implicit(2, new TextEncoder().encode(n)))));
}

function uniqueNames(names: string[]): string[] {
  return [...new Set(names.filter((n) => n !== ""))];
}

/** A leaf certificate signed by the CA, for a TLS server (and client, so kubelets can reuse it). */
export async function issueCertificate(ca: CertificateAuthority, commonName: string, sans: string[], years = 10): Promise<KeyPairPem> {
  const { keys, spki } = await newKeyPair();
  const certPem = await signCertificate({
    subject: name(commonName),
    issuer: ca.subject,
    spki,
    years,
    signingKey: ca.key,
    extensions: [
      extension(oids.basicConstraints, true, der.sequence()),
      extension(oids.keyUsage, true, der.namedBits([keyUsage.digitalSignature, keyUsage.keyEncipherment])),
      extension(oids.extKeyUsage, false, der.sequence(der.oid(oids.serverAuth), der.oid(oids.clientAuth))),
      extension(oids.subjectAltName, false, generalNames(sans)),
      extension(oids.authorityKeyIdentifier, false, der.sequence(der.implicit(0, ca.keyId))),
    ],
  });
  return { certPem, keyPem: await exportKeyPem(keys.privateKey) };
}

/** An IPv4 or IPv6 address as the 4 or 16 bytes of an iPAddress GeneralName. */
export function ipBytes(ip: string): Bytes {
  if (isIP(ip) === 4) return Uint8Array.from(ip.split(".").map(Number));
  let text = ip;
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const [a, b, c, d] = v4[1]!.split(".").map(Number) as [number, number, number, number];
    text = text.slice(0, -v4[1]!.length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail ? tail.split(":") : [];
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  });
  return out;
}

/** The text form of an iPAddress: dotted IPv4, or IPv6 with the longest zero run as "::" (RFC 5952). */
export function ipText(bytes: Bytes): string {
  if (bytes.length === 4) return [...bytes].join(".");
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(":");
  return `${hex.slice(0, best.at).join(":")}::${hex.slice(best.at + best.len).join(":")}`;
}

/** The SANs of a PEM certificate as "dns:name" / "ip:addr" strings, sorted. */
export function certificateSans(certPem: string): string[] {
  const value = parseCertificate(certPem).extensions.get(oids.subjectAltName);
  if (!value) return [];
  const out: string[] = [];
  for (const n of der.children(der.readElement(value))) {
    if (n.tag === 0x82) out.push(`dns:${new TextDecoder().decode(n.contents)}`);
    else if (n.tag === 0x87) out.push(`ip:${ipText(n.contents)}`);
  }
  return out.sort();
}

function wantedSans(sans: string[]): string[] {
  return uniqueNames(sans)
    .map((n) => (isIP(n) ? `ip:${ipText(ipBytes(n))}` : `dns:${n}`))
    .sort();
}

/** Whether the CA signed this certificate (issuer name and signature). */
export async function signedBy(certPem: string, ca: CertificateAuthority): Promise<boolean> {
  const cert = parseCertificate(certPem);
  if (!equalBytes(cert.issuer, ca.subject)) return false;
  const caKey = await crypto.subtle.importKey("spki", parseCertificate(ca.certPem).spki, keyAlgorithm, false, ["verify"]);
  return crypto.subtle.verify(signingAlgorithm, caKey, cert.signature, cert.tbs);
}

function equalBytes(a: Bytes, b: Bytes): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function writeSecretFile(path: string, text: string): void {
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export interface ServerPki {
  ca: CertificateAuthority;
  serving: KeyPairPem;
}

/**
 * Load the CA and serving certificate from `dir`, creating them on first start.
 * The serving certificate is reissued when the wanted SANs changed (new --tls-san).
 */
export async function loadOrCreatePki(dir: string, sans: string[]): Promise<ServerPki> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCrt = join(dir, "ca.crt");
  const caKey = join(dir, "ca.key");
  let ca: CertificateAuthority;
  if (existsSync(caCrt) && existsSync(caKey)) {
    ca = await loadCA(readFileSync(caCrt, "utf8"), readFileSync(caKey, "utf8"));
  } else {
    ca = await createCA();
    writeSecretFile(caKey, ca.keyPem);
    writeFileSync(caCrt, ca.certPem, { mode: 0o644 });
  }

  const srvCrt = join(dir, "server.crt");
  const srvKey = join(dir, "server.key");
  if (existsSync(srvCrt) && existsSync(srvKey)) {
    const certPem = readFileSync(srvCrt, "utf8");
    const sameSans = certificateSans(certPem).join(",") === wantedSans(sans).join(",");
    if (sameSans && (await signedBy(certPem, ca))) return { ca, serving: { certPem, keyPem: readFileSync(srvKey, "utf8") } };
  }
  const serving = await issueCertificate(ca, "skiff-apiserver", sans);
  writeSecretFile(srvKey, serving.keyPem);
  writeFileSync(srvCrt, serving.certPem, { mode: 0o644 });
  return { ca, serving };
}

/** sha256 hex of the CA certificate PEM: the pin in a node token (K10<hash>::...). */
export async function caHash(caPem: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(caPem));
  return Buffer.from(digest).toString("hex");
}
