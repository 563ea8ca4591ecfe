/**
 * A throw-away CA with a server certificate for 127.0.0.1 and client certificates,
 * made with the `openssl` command.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

export interface Pem {
  readonly cert: string
  readonly key: string
}

export interface Certificates {
  readonly ca: string
  readonly server: Pem
  readonly client: (commonName: string) => Pem
}

const openssl = (dir: string, ...args: Array<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })

export const make = (): Certificates => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-certs-"))
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=koji-ts test CA")
  const issue = (name: string, subject: string, ext?: string): Pem => {
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject)
    if (ext !== undefined) Fs.writeFileSync(Path.join(dir, `${name}.ext`), ext)
    openssl(
      dir, "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-out", `${name}.crt`, "-days", "2", ...(ext === undefined ? [] : ["-extfile", `${name}.ext`])
    )
    return {
      cert: Fs.readFileSync(Path.join(dir, `${name}.crt`), "utf8"),
      key: Fs.readFileSync(Path.join(dir, `${name}.key`), "utf8")
    }
  }
  const server = issue("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1,DNS:localhost\n")
  return {
    ca: Fs.readFileSync(Path.join(dir, "ca.crt"), "utf8"),
    server,
    client: (commonName) => issue(`client-${commonName.replace(/[^a-z0-9]/gi, "_")}`, `/O=koji-ts/CN=${commonName}`)
  }
}
