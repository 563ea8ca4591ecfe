import { deflateSync, constants } from "node:zlib"
import * as Checksum from "../src/storage/Checksum.js"
const d = new Uint8Array(1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
const viaZlib = (data: Uint8Array) => {
  const z = deflateSync(data, { level: 0, strategy: constants.Z_DEFAULT_STRATEGY })
  return z.readUInt32BE(z.length - 4).toString(16).padStart(8, "0")
}
console.log(viaZlib(d), Checksum.digest("adler32", d))
for (const [name, f] of [["js", (x: Uint8Array) => Checksum.digest("adler32", x)], ["zlib", viaZlib]] as const) {
  for (let w = 0; w < 20; w++) f(d)
  const t = performance.now()
  for (let i = 0; i < 200; i++) f(d)
  console.log(name, "MiB/s", 200 / ((performance.now() - t) / 1000))
}
