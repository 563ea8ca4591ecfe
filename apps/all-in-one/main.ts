/**
 * `npm start`: every koji-ts part in one process on the embedded default
 * (PGlite and files under ./.koji). Today that is the hub; the builder, kojira
 * and the web UI join it as they land.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import * as Daemon from "../../src/hub/Daemon.js"

const parts = Layer.effectDiscard(Effect.gen(function*() {
  yield* Console.log("koji-ts: all-in-one: hub (builder, kojira and web UI are not built yet)")
  yield* Daemon.announce
}))

Layer.launch(parts.pipe(Layer.provideMerge(Daemon.layer))).pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
