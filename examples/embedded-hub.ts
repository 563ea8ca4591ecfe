/**
 * Embed a whole hub in your own process: PGlite in memory, no sockets, a typed
 * client in process. Run: node --import tsx examples/embedded-hub.ts
 */
import { Console, Effect, Either, Layer } from "effect"
import { Bootstrap, Database, FileStore, Hub, HubConfig, KojiClient } from "../src/index.js"

const HubLive = Hub.layer.pipe(
  Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: "embedded" }))),
  Layer.provideMerge(Database.layerMigrated),
  Layer.provideMerge(HubConfig.layer()),
  Layer.provideMerge(FileStore.layerMemory),
  Layer.provideMerge(Database.layerMemory())
)

const program = Effect.gen(function*() {
  const koji = yield* KojiClient.KojiClient
  yield* koji.login({ user: "admin", password: "embedded" })
  const hostId = yield* koji.addHost({ hostname: "builder1", arches: ["x86_64", "aarch64"] })
  yield* Console.log(`added host ${hostId}`)
  // one round trip, one transaction, each call in its own savepoint
  const [host, channels, missing] = yield* koji.multicall((m) => [
    m.getHost({ hostInfo: "builder1" }),
    m.listChannels({ hostID: hostId }),
    m.getHost({ hostInfo: "nope", strict: true })
  ])
  yield* Console.log("host:", Either.getOrThrow(host))
  yield* Console.log("channels:", Either.getOrThrow(channels).map((c) => c.name))
  yield* Console.log("strict lookup of a missing host:", Either.isLeft(missing) ? missing.left.message : "found?")
})

program.pipe(
  Effect.provide(KojiClient.layerInProcess.pipe(Layer.provideMerge(HubLive))),
  Effect.runPromise
).catch((error) => {
  console.error(error)
  process.exit(1)
})
