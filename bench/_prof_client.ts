import { Effect } from "effect"
import * as KojiClient from "../src/client/KojiClient.js"
const url = process.argv[2]!
const kind = process.argv[3]!
const data = new Uint8Array(100 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24)
Effect.runPromise(Effect.scoped(Effect.gen(function*() {
  const c = kind === "http" ? yield* KojiClient.makeHttp({ url: `${url}/api` }) : yield* KojiClient.makeXmlRpc({ url: `${url}/kojihub` })
  yield* c.login({ user: "admin", password: "pw" })
  for (let i = 0; i < 3; i++) {
    const t = performance.now()
    yield* c.upload({ path: "bench/x", name: `f${i}`, data })
    console.log(kind, 100 / ((performance.now() - t) / 1000), "MiB/s")
  }
}))).catch((e) => { console.error(e); process.exit(1) })
