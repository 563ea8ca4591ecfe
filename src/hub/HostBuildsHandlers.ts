/**
 * Handlers of the host build calls (the logic lives in `BuildLifecycle`,
 * `Import` and `Policy`).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { HostBuildsApi } from "../api/HostBuilds.js"
import type { BuildId } from "../domain/Ids.js"
import { BuildLifecycle, layer as lifecycleLayer } from "./BuildLifecycle.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { Policy } from "./Policy.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(HostBuildsApi, Effect.gen(function*() {
  const lifecycle = yield* BuildLifecycle
  const policy = yield* Policy
  const host = Effect.map(Caller.host, (h) => h.hostId)
  return {
    "host.initBuild": ({ data }) =>
      Effect.flatMap(host, (hostId) => Effect.map(lifecycle.init(hostId, data), (id) => id as BuildId)),
    "host.completeBuild": ({ brmap, build_id, logs, rpms, srpm, task_id }) =>
      Effect.flatMap(host, (hostId) =>
        lifecycle.complete(hostId, { taskId: task_id, buildId: build_id, srpm, rpms, brmap, logs })),
    "host.failBuild": ({ build_id, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(lifecycle.fail(hostId, task_id, build_id), null)),
    "host.moveBuildToScratch": ({ logs, rpms, srpm, task_id }) =>
      Effect.flatMap(host, (hostId) => Effect.as(lifecycle.moveToScratch(hostId, { taskId: task_id, srpm, rpms, logs }), null)),
    // Koji's check_policy: [allowed, reason]; strict raises ActionNotAllowed unless allowed
    "host.checkPolicy": ({ data, default: fallback, name, strict }) =>
      Effect.gen(function*() {
        const verdict = yield* policy.check(name, data, { default: fallback })
        if (verdict.result === "allow") return [true, verdict.reason] as const
        if (strict) yield* policy.assert(name, data, { default: fallback })
        return [false, verdict.result === "deny" ? verdict.reason : "error in policy"] as const
      }),
    "host.assertPolicy": ({ data, default: fallback, name }) =>
      Effect.as(policy.assert(name, data, { default: fallback }), null),
    "host.evalPolicy": ({ data, name }) => Effect.map(policy.apply(name, data), (applied) => applied.action ?? null)
  }
})).pipe(Layer.provide(lifecycleLayer))
