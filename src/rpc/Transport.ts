/**
 * What an HTTP request tells about its client: address, verified TLS client
 * certificate, and a user vouched for by a trusted front proxy. Written into the
 * internal headers the hub reads (any such header the client sent is dropped).
 *
 * @since 0.1.0
 */
import { Headers, type HttpServerRequest } from "@effect/platform"
import { NodeHttpServerRequest } from "@effect/platform-node"
import { Option } from "effect"
import type { TLSSocket } from "node:tls"
import * as Credentials from "../hub/Credentials.js"
import type { HubConfigShape } from "../hub/HubConfig.js"

const subjectOf = (socket: TLSSocket): { subject: Record<string, string>; dn: string } | undefined => {
  if (!socket.authorized) return undefined
  const cert = socket.getPeerCertificate()
  if (cert === null || cert.subject === undefined) return undefined
  const subject: Record<string, string> = {}
  for (const [k, v] of Object.entries(cert.subject)) subject[k] = Array.isArray(v) ? v.join(",") : String(v)
  // OpenSSL's one-line form, as Apache's SSL_CLIENT_S_DN gives it
  const dn = Object.entries(subject).map(([k, v]) => `${k}=${v}`).join(",")
  return { subject, dn }
}

/**
 * The request with its internal headers set from the connection.
 *
 * @since 0.1.0
 * @category combinators
 */
export const annotate = (
  request: HttpServerRequest.HttpServerRequest,
  config: Pick<HubConfigShape, "proxyUserHeader" | "trustedProxyAddresses">
): HttpServerRequest.HttpServerRequest => {
  const clean: Record<string, string> = {}
  for (const [k, v] of Object.entries(request.headers)) {
    if (!k.startsWith(Credentials.internalPrefix)) clean[k] = v
  }
  const remoteAddress = Option.getOrElse(request.remoteAddress, () => "unknown").replace(/^::ffff:/, "")
  clean[Credentials.internalHeaders.remoteAddress] = remoteAddress
  let socket: TLSSocket | undefined
  try {
    socket = NodeHttpServerRequest.toIncomingMessage(request).socket as TLSSocket
  } catch {
    socket = undefined
  }
  if (socket !== undefined && typeof socket.getPeerCertificate === "function") {
    const certificate = subjectOf(socket)
    if (certificate !== undefined) clean[Credentials.internalHeaders.certificate] = JSON.stringify(certificate)
  }
  if (config.proxyUserHeader !== undefined && config.trustedProxyAddresses.includes(remoteAddress)) {
    const user = request.headers[config.proxyUserHeader]
    if (user !== undefined && user.length > 0) clean[Credentials.internalHeaders.proxyUser] = user
  }
  return request.modify({ headers: Headers.fromInput(clean) })
}
