// DER encoding and reading (src/server/der.ts) against known encodings (X.690).
import { describe, expect, test } from "bun:test";
import * as der from "../../src/server/der.ts";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const bytes = (h: string) => new Uint8Array(Buffer.from(h, "hex"));

describe("encoding", () => {
  test("lengths: short form below 128, long form above", () => {
    expect(hex(der.octetString(new Uint8Array(3)))).toBe("0403000000");
    expect(hex(der.octetString(new Uint8Array(127)).subarray(0, 2))).toBe("047f");
    expect(hex(der.octetString(new Uint8Array(128)).subarray(0, 3))).toBe("048180");
    expect(hex(der.octetString(new Uint8Array(300)).subarray(0, 4))).toBe("0482012c");
  });

  test("integers are minimal and positive", () => {
    expect(hex(der.smallInteger(0))).toBe("020100");
    expect(hex(der.smallInteger(2))).toBe("020102");
    expect(hex(der.smallInteger(0x80))).toBe("02020080");
    expect(hex(der.unsignedInteger(bytes("00007f")))).toBe("02017f");
    expect(hex(der.unsignedInteger(bytes("0000ff01")))).toBe("020300ff01");
    expect(hex(der.unsignedInteger(bytes("0000")))).toBe("020100");
  });

  test("object identifiers, including multi-byte arcs", () => {
    expect(hex(der.oid("2.5.4.3"))).toBe("0603550403");
    expect(hex(der.oid("1.2.840.10045.4.3.2"))).toBe("06082a8648ce3d040302");
    expect(hex(der.oid("1.3.6.1.5.5.7.3.1"))).toBe("06082b06010505070301");
    expect(() => der.oid("1")).toThrow();
    expect(() => der.oid("1.x.3")).toThrow();
  });

  test("named bits drop trailing zero bits (KeyUsage)", () => {
    expect(hex(der.namedBits([0, 2]))).toBe("030205a0"); // digitalSignature, keyEncipherment
    expect(hex(der.namedBits([5, 6, 0]))).toBe("03020186"); // + keyCertSign, cRLSign
    expect(hex(der.namedBits([8]))).toBe("0303070080"); // decipherOnly
  });

  test("booleans, strings, sequences, context tags", () => {
    expect(hex(der.boolean(true))).toBe("0101ff");
    expect(hex(der.boolean(false))).toBe("010100");
    expect(hex(der.utf8String("é"))).toBe("0c02c3a9");
    expect(hex(der.sequence())).toBe("3000");
    expect(hex(der.sequence(der.smallInteger(1), der.set()))).toBe("30050201013100");
    expect(hex(der.explicit(0, der.smallInteger(2)))).toBe("a003020102");
    expect(hex(der.implicit(7, bytes("7f000001")))).toBe("87047f000001");
  });

  test("time: UTCTime through 2049, GeneralizedTime from 2050, to the second", () => {
    expect(new TextDecoder().decode(der.readElement(der.time(new Date("2036-11-24T14:31:17.999Z"))).contents)).toBe("361124143117Z");
    expect(der.time(new Date("2036-01-01T00:00:00Z"))[0]).toBe(der.tags.utcTime);
    const late = der.time(new Date("2050-01-01T00:00:00Z"));
    expect(late[0]).toBe(der.tags.generalizedTime);
    expect(new TextDecoder().decode(der.readElement(late).contents)).toBe("20500101000000Z");
  });
});

describe("reading", () => {
  test("elements and children round-trip what was encoded", () => {
    const big = new Uint8Array(200).fill(7);
    const seq = der.sequence(der.oid("2.5.29.17"), der.boolean(true), der.octetString(big));
    const top = der.readElement(seq);
    expect(top.tag).toBe(der.tags.sequence);
    expect(top.encoded.length).toBe(seq.length);
    const [id, crit, value] = der.children(top);
    expect(der.oidText(id!.contents)).toBe("2.5.29.17");
    expect(hex(crit!.encoded)).toBe("0101ff");
    expect(value!.contents).toEqual(big);
  });

  test("OID text for the first arcs and large arcs", () => {
    for (const o of ["2.5.4.3", "1.2.840.10045.4.3.2", "1.3.6.1.4.1.311.60.2.1.1", "2.999.3"]) expect(der.oidText(der.readElement(der.oid(o)).contents)).toBe(o);
  });

  test("truncated or oversized input is an error, not a short read", () => {
    expect(() => der.readElement(bytes("30"))).toThrow(/truncated/);
    expect(() => der.readElement(bytes("3005020101"))).toThrow(/longer than its input/);
    expect(() => der.readElement(bytes("3082"))).toThrow(/truncated/);
    expect(() => der.readElement(bytes("3080"))).toThrow(/unsupported length/);
    expect(() => der.readElement(bytes("1f0100"))).toThrow(/multi-byte tags/);
  });
});

describe("PEM", () => {
  test("64-column base64 between BEGIN and END lines, and back", () => {
    const data = crypto.getRandomValues(new Uint8Array(100));
    const pem = der.toPem(data, "CERTIFICATE");
    const lines = pem.trimEnd().split("\n");
    expect(lines[0]).toBe("-----BEGIN CERTIFICATE-----");
    expect(lines.at(-1)).toBe("-----END CERTIFICATE-----");
    expect(lines.slice(1, -1).every((l) => l.length <= 64)).toBe(true);
    expect(der.fromPem(`junk\n${pem}`, "CERTIFICATE")).toEqual(data);
    expect(() => der.fromPem(pem, "PRIVATE KEY")).toThrow(/no PRIVATE KEY PEM block/);
  });
});
