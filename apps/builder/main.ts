/**
 * The builder daemon (kojid): `node --import tsx apps/builder/main.ts`, against a
 * hub at KOJI_HUB_URL, logged in as KOJI_BUILDER_NAME with KOJI_BUILDER_PASSWORD
 * (or KOJI_BUILDER_CERT/KOJI_BUILDER_KEY). SIGTERM: it takes no more work and
 * hands back what it was running.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import * as BuilderConfig from "../../src/builder/BuilderConfig.js"

Layer.launch(BuilderConfig.layer.pipe(Layer.provide(BuilderConfig.layerRegistry()))).pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
