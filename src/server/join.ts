// Node join: POST /skiff/v1/join with `Authorization: Bearer node:<secret>`
// (the part of DIR/node-token after "::") and { nodeName, nodeIP? } →
// { token, certPem, keyPem }: a bearer credential bound to that node name
// (identity system:node:<name>) and a kubelet serving certificate signed by
// the cluster CA for nodeIP and nodeName.
import { ApiError } from "../api/errors.ts";
import { dns1123SubdomainErrors } from "../api/validation.ts";
import { bearerToken } from "./auth.ts";
import { readBody, requireObjectBody } from "./body.ts";
import type { Credentials } from "./credentials.ts";
import { issueCertificate, type CertificateAuthority } from "./pki.ts";
import { isIP } from "node:net";
import { logger } from "../util/log.ts";

const log = logger("apiserver/join");

export interface JoinAnswer {
  token: string;
  certPem: string;
  keyPem: string;
}

export async function handleJoin(req: Request, creds: Credentials, ca: CertificateAuthority): Promise<JoinAnswer> {
  if (!creds.isJoinToken(bearerToken(req.headers.get("authorization")))) throw ApiError.unauthorized("a valid node join token is required");
  const body = requireObjectBody(await readBody(req), "join request");
  const nodeName = body.nodeName;
  const nodeIP = body.nodeIP;
  if (typeof nodeName !== "string" || nodeName === "") throw ApiError.badRequest("nodeName is required");
  const errs = dns1123SubdomainErrors(nodeName);
  if (errs.length) throw ApiError.badRequest(`invalid nodeName ${JSON.stringify(nodeName)}: ${errs.join("; ")}`);
  if (nodeIP !== undefined && (typeof nodeIP !== "string" || !isIP(nodeIP))) throw ApiError.badRequest(`invalid nodeIP ${JSON.stringify(nodeIP)}: must be an IP address`);
  const token = creds.nodeCredential(nodeName);
  const cert = await issueCertificate(ca, `system:node:${nodeName}`, [nodeName, ...(nodeIP ? [nodeIP] : [])]);
  log.info("node joined", { node: nodeName, ip: nodeIP });
  return { token, certPem: cert.certPem, keyPem: cert.keyPem };
}
