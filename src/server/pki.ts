// The cluster's certificate authority and the certificates it signs: the API
// server's serving certificate and the kubelets' serving certificates.
// ECDSA P-256 throughout (small, fast, accepted by Bun.serve/BoringSSL and by
// kubectl). Keys are PKCS#8 PEM files with mode 0600 under DIR/tls.
import "reflect-metadata"; // @peculiar/x509 uses tsyringe, which needs the Reflect metadata polyfill
import * as x509 from "@peculiar/x509";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { join } from "node:path";

x509.cryptoProvider.set(crypto);

const keyAlgorithm = { name: "ECDSA", namedCurve: "P-256" };
const signingAlgorithm = { name: "ECDSA", hash: "SHA-256" };
const dayMs = 24 * 3600 * 1000;

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  cert: x509.X509Certificate;
  key: CryptoKey;
}

export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

function randomSerial(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[0] = bytes[0]! & 0x7f; // a positive INTEGER
  return Buffer.from(bytes).toString("hex");
}

async function exportKeyPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey("pkcs8", key), "PRIVATE KEY");
}

async function importKeyPem(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decodeFirst(pem);
  return crypto.subtle.importKey("pkcs8", der, keyAlgorithm, true, ["sign"]);
}

export async function createCA(commonName = "skiff-ca", years = 10): Promise<CertificateAuthority> {
  const keys = (await crypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: `CN=${commonName}@${Math.floor(now / 1000)}`,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + years * 365 * dayMs),
    keys,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey, certPem: cert.toString("pem"), keyPem: await exportKeyPem(keys.privateKey) };
}

export function sanEntries(names: string[]): x509.JsonGeneralName[] {
  const unique = [...new Set(names.filter((n) => n !== ""))];
  return unique.map((value) => ({ type: isIP(value) ? "ip" : "dns", value }));
}

/** A leaf certificate signed by the CA, for a TLS server (and client, so kubelets can reuse it). */
export async function issueCertificate(ca: CertificateAuthority, commonName: string, sans: string[], years = 10): Promise<KeyPairPem> {
  const keys = (await crypto.subtle.generateKey(keyAlgorithm, true, ["sign", "verify"])) as CryptoKeyPair;
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: `CN=${commonName}`,
    issuer: ca.cert.subject,
    notBefore: new Date(now - 3600_000),
    notAfter: new Date(now + years * 365 * dayMs),
    publicKey: keys.publicKey,
    signingKey: ca.key,
    signingAlgorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(sanEntries(sans)),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await exportKeyPem(keys.privateKey) };
}

/** The SANs of a PEM certificate as "dns:name" / "ip:addr" strings, sorted. */
export function certificateSans(certPem: string): string[] {
  const cert = new x509.X509Certificate(certPem);
  const ext = cert.getExtension(x509.SubjectAlternativeNameExtension);
  if (!ext) return [];
  return ext.names.items.map((n) => `${n.type}:${n.value}`).sort();
}

function wantedSans(sans: string[]): string[] {
  return sanEntries(sans).map((n) => `${n.type}:${n.value}`).sort();
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
    const certPem = readFileSync(caCrt, "utf8");
    const keyPem = readFileSync(caKey, "utf8");
    ca = { certPem, keyPem, cert: new x509.X509Certificate(certPem), key: await importKeyPem(keyPem) };
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
    if (sameSans && verifiesWith(certPem, ca)) return { ca, serving: { certPem, keyPem: readFileSync(srvKey, "utf8") } };
  }
  const serving = await issueCertificate(ca, "skiff-apiserver", sans);
  writeSecretFile(srvKey, serving.keyPem);
  writeFileSync(srvCrt, serving.certPem, { mode: 0o644 });
  return { ca, serving };
}

function verifiesWith(certPem: string, ca: CertificateAuthority): boolean {
  return new x509.X509Certificate(certPem).issuer === ca.cert.subject;
}

/** sha256 hex of the CA certificate PEM: the pin in a node token (K10<hash>::...). */
export async function caHash(caPem: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(caPem));
  return Buffer.from(digest).toString("hex");
}
