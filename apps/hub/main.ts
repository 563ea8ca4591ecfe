/**
 * The hub daemon: `node --import tsx apps/hub/main.ts`. Settings from the environment
 * (KOJI_HOME, KOJI_HTTP_HOST, KOJI_HTTP_PORT, KOJI_DATABASE_URL, KOJI_HUB_WORKERS, KOJI_ADMIN_PASSWORD, ...).
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect } from "effect"
import * as Daemon from "../../src/hub/Daemon.js"

Daemon.main.pipe(
  Effect.tapErrorCause(Effect.logError),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
