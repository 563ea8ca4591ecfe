/**
 * Handlers of the build targets area (the logic lives in the `Targets` service).
 *
 * @since 0.1.0
 */
import { Effect, Layer } from "effect"
import { TargetsApi } from "../api/Targets.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { layer as tagsLayer } from "./Tags.js"
import { layer as targetsLayer, Targets } from "./Targets.js"

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(TargetsApi, Effect.gen(function*() {
  const targets = yield* Targets
  const actor = Effect.map(Caller.session, (s) => s.userId)
  return {
    createBuildTarget: ({ build_tag, dest_tag, name }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(targets.create(name, build_tag, dest_tag, actorId), null)),
    editBuildTarget: ({ buildTargetInfo, build_tag, dest_tag, name }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(targets.edit(buildTargetInfo, name, build_tag, dest_tag, actorId), null)),
    deleteBuildTarget: ({ buildTargetInfo }) =>
      Effect.flatMap(actor, (actorId) => Effect.as(targets.remove(buildTargetInfo, actorId), null)),
    getBuildTargets: (options) => targets.list(options),
    getBuildTarget: ({ event, info, strict }) =>
      Effect.map(targets.find(info, { event, strict }), (target) => target ?? null)
  }
})).pipe(Layer.provide(targetsLayer), Layer.provide(tagsLayer))
