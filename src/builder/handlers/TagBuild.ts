/**
 * Koji's `tagBuild` task handler: tag (or move) a build through
 * `host.tagBuild`, as the task's owner, after the hub's policy and package-list
 * checks. (Koji then queues a `tagNotification` e-mail task; koji-ts publishes
 * the change on the event stream instead, and sends no mail.)
 *
 * @since 0.1.0
 */
import { Effect, Schema } from "effect"
import * as TaskHandler from "../TaskHandler.js"

/**
 * `tagBuild(tag_id, build_id, force=False, fromtag=None, ignore_success=False)`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const tagBuild = TaskHandler.make({
  methods: ["tagBuild"],
  weight: 1.0,
  params: Schema.Tuple(
    Schema.Int,
    Schema.Int,
    Schema.optionalElement(Schema.NullOr(Schema.Boolean)),
    Schema.optionalElement(Schema.NullOr(Schema.Int)),
    Schema.optionalElement(Schema.NullOr(Schema.Boolean))
  ),
  handler: ([tagId, buildId, force, fromtag], ctx) =>
    Effect.gen(function*() {
      yield* ctx.log(`tagging build ${buildId} into tag ${tagId}${fromtag == null ? "" : ` (from tag ${fromtag})`}`)
      yield* Effect.mapError(
        ctx.hub.host.tagBuild({ task_id: ctx.id, tag: tagId, build: buildId, force: force ?? false, fromtag: fromtag ?? null }),
        TaskHandler.hubFailure
      )
      return null
    })
})
