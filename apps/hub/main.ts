/**
 * The hub daemon: `node --import tsx apps/hub/main.ts`. Settings from the environment
 * (KOJI_HOME, KOJI_HTTP_HOST, KOJI_HTTP_PORT, KOJI_DATABASE_URL, KOJI_ADMIN_PASSWORD, ...).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as Daemon from "../../src/hub/Daemon.js"

Layer.launch(Layer.effectDiscard(Daemon.announce).pipe(Layer.provideMerge(Daemon.layer))).pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
