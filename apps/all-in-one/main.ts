/**
 * `npm start`: every koji-ts part in one process on the embedded default
 * (PGlite and files under ./.koji): the hub and one builder (this machine's
 * arch and noarch, channel `default`). Kojira and the web UI join as they land.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import * as BuilderConfig from "../../src/builder/BuilderConfig.js"
import * as Daemon from "../../src/hub/Daemon.js"
import * as AllowList from "../../src/scm/AllowList.js"

const announce = Layer.effectDiscard(Effect.gen(function*() {
  yield* Console.log(`koji-ts: all-in-one: hub and builder (${BuilderConfig.localArch}, noarch; kojira and web UI not built yet)`)
  // the builder's allow-list, as BuildSettings reads it
  const scms = (yield* AllowList.config).entries.map((e) => e.text)
  yield* Console.log(
    `koji-ts: builds from SCM allowed for: ${scms.length === 0 ? "none (set KOJI_ALLOWED_SCMS, e.g. ':/srv/git/*')" : scms.join(" ")}`
  )
  yield* Daemon.announce
}))

Layer.launch(
  announce.pipe(
    Layer.provideMerge(BuilderConfig.layerLocal.pipe(Layer.provide(BuilderConfig.layerRegistry()))),
    Layer.provideMerge(Daemon.layer)
  )
).pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
