// ASN.1 DER, as much as the cluster's X.509 certificates need (pki.ts):
// encoding the few universal types a certificate is made of, reading a
// structure back element by element, and PEM armour. Our own instead of
// @peculiar/x509, whose decorator-based schema stack (tsyringe, reflect-metadata,
// a dozen asn1-* packages) cost the server ~5 MiB of resident memory.

/** Bytes WebCrypto accepts as they are (not backed by a SharedArrayBuffer). */
export type Bytes = Uint8Array<ArrayBuffer>;

/** An encoded element: tag, length and contents. */
export type Der = Bytes;

function concat(parts: Bytes[]): Bytes {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

/** One element: a tag byte (class, constructed bit and number in one, as in X.690) and its contents. */
export function tlv(tag: number, contents: Bytes): Der {
  return concat([Uint8Array.of(tag, ...lengthBytes(contents.length)), contents]);
}

export const tags = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

export const sequence = (...items: Der[]): Der => tlv(tags.sequence, concat(items));
export const set = (...items: Der[]): Der => tlv(tags.set, concat(items));
export const boolean = (value: boolean): Der => tlv(tags.boolean, Uint8Array.of(value ? 0xff : 0x00));
export const octetString = (bytes: Bytes): Der => tlv(tags.octetString, bytes);
export const utf8String = (text: string): Der => tlv(tags.utf8String, new TextEncoder().encode(text));
export const ia5String = (text: string): Der => tlv(tags.ia5String, new TextEncoder().encode(text));

/** A non-negative INTEGER from its big-endian magnitude, minimally encoded. */
export function unsignedInteger(magnitude: Bytes): Der {
  let start = 0;
  while (start < magnitude.length - 1 && magnitude[start] === 0) start++;
  const bytes = magnitude.subarray(start);
  return tlv(tags.integer, bytes.length > 0 && bytes[0]! & 0x80 ? concat([Uint8Array.of(0), bytes]) : bytes.length ? bytes : Uint8Array.of(0));
}

export const smallInteger = (n: number): Der => unsignedInteger(Uint8Array.of(n));

/** A BIT STRING of whole bytes (keys, signatures). */
export const bitString = (bytes: Bytes, unusedBits = 0): Der => tlv(tags.bitString, concat([Uint8Array.of(unusedBits), bytes]));

/**
 * A named-bit BIT STRING (KeyUsage) from bit numbers, bit 0 the first
 * (most significant) bit; DER drops trailing zero bits.
 */
export function namedBits(bits: number[]): Der {
  const highest = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return bitString(bytes, 7 - (highest & 7));
}

export function oid(dotted: string): Der {
  const arcs = dotted.split(".").map(Number);
  if (arcs.length < 2 || arcs.some((a) => !Number.isSafeInteger(a) || a < 0)) throw new Error(`bad object identifier ${dotted}`);
  const out: number[] = [];
  for (const arc of [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)]) {
    const base128: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) base128.unshift(0x80 | (v & 0x7f));
    out.push(...base128);
  }
  return tlv(tags.oid, Uint8Array.from(out));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), to the second. */
export function time(date: Date): Der {
  const iso = date.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const digits = iso.slice(0, 19).replace(/[-T:]/g, "") + "Z";
  const year = date.getUTCFullYear();
  if (year >= 1950 && year < 2050) return tlv(tags.utcTime, new TextEncoder().encode(digits.slice(2)));
  return tlv(tags.generalizedTime, new TextEncoder().encode(digits));
}

/** [n] EXPLICIT: the element wrapped in a constructed context-specific tag. */
export const explicit = (n: number, inner: Der): Der => tlv(0xa0 | n, inner);

/** [n] IMPLICIT primitive contents (GeneralName's dNSName, iPAddress, keyIdentifier). */
export const implicit = (n: number, contents: Bytes): Der => tlv(0x80 | n, contents);

/** An element read from DER: its tag, its contents, and the whole encoding (header included). */
export interface Element {
  tag: number;
  contents: Bytes;
  encoded: Bytes;
}

/** The element at `offset`; throws on anything malformed or longer than the input. */
export function readElement(bytes: Bytes, offset = 0): Element {
  const tag = bytes[offset];
  let first = bytes[offset + 1];
  if (tag === undefined || first === undefined) throw new Error("DER: truncated element");
  if ((tag & 0x1f) === 0x1f) throw new Error("DER: multi-byte tags are not supported");
  let at = offset + 2;
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count === 0 || count > 4) throw new Error("DER: unsupported length");
    length = 0;
    for (let i = 0; i < count; i++) {
      first = bytes[at++];
      if (first === undefined) throw new Error("DER: truncated length");
      length = length * 256 + first;
    }
  }
  const end = at + length;
  if (end > bytes.length) throw new Error("DER: element longer than its input");
  return { tag, contents: bytes.subarray(at, end), encoded: bytes.subarray(offset, end) };
}

/** The elements inside a constructed element, in order. */
export function children(parent: Element): Element[] {
  const out: Element[] = [];
  for (let at = 0; at < parent.contents.length; ) {
    const child = readElement(parent.contents, at);
    out.push(child);
    at += child.encoded.length;
  }
  return out;
}

/** The dotted form of an OBJECT IDENTIFIER's contents. */
export function oidText(contents: Bytes): string {
  const arcs: number[] = [];
  let v = 0;
  for (const b of contents) {
    v = v * 128 + (b & 0x7f);
    if (b & 0x80) continue;
    if (arcs.length === 0) arcs.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
    else arcs.push(v);
    v = 0;
  }
  return arcs.join(".");
}

/** PEM armour: base64 in 64-column lines between BEGIN/END lines. */
export function toPem(der: Bytes, label: string): string {
  const b64 = Buffer.from(der).toString("base64");
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}

/** The DER of the first PEM block with this label; throws when there is none. */
export function fromPem(pem: string, label: string): Bytes {
  const m = pem.match(new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`));
  if (!m) throw new Error(`no ${label} PEM block`);
  return new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ""), "base64"));
}
