/**
 * Handlers of `build` and `chainBuild`: Koji's checks of the request (the
 * target, the options its build handlers refuse, the priority an admin may
 * raise), then a `build` / `chainbuild` task through the hub's `Tasks` service,
 * with its arguments stored as Koji stores them (`[src, target, opts]`).
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Effect, Layer } from "effect"
import { type BuildOpts, BuildTasksApi } from "../api/BuildTasks.js"
import { RepoState } from "../domain/Enums.js"
import { ActionNotAllowed, BuildError, GenericError, ParameterError } from "../domain/Errors.js"
import type { TaskId } from "../domain/Ids.js"
import * as Caller from "./Caller.js"
import * as Handlers from "./Handlers.js"
import { parseArches } from "./Hosts.js"
import * as Nvr from "./Nvr.js"
import { layer as tagsLayer, Tags } from "./Tags.js"
import { layer as targetsLayer, Targets } from "./Targets.js"
import { PRIO_DEFAULT, Tasks } from "./Tasks.js"

/**
 * The options of a build that only a scratch build may use.
 *
 * @since 0.1.0
 * @category constants
 */
export const scratchOnly = ["arch_override", "rebuild_srpm"] as const

/**
 * @since 0.1.0
 * @category layers
 */
export const layer = Handlers.toLayer(BuildTasksApi, Effect.gen(function*() {
  const tasks = yield* Tasks
  const targets = yield* Targets
  const tags = yield* Tags
  const sql = yield* SqlClient.SqlClient

  // Koji's relative priority: 20 + p; below the default only for admins
  const priorityOf = (priority: number | null) =>
    Effect.gen(function*() {
      if (!priority) return undefined
      if (priority < 0 && !(yield* Caller.hasPerm("admin"))) {
        return yield* new ActionNotAllowed({ message: "only admins may create high-priority tasks" })
      }
      return PRIO_DEFAULT + priority
    })

  // the checks Koji's build handler (and CLI) make of the options, made before the task exists
  const checkOpts = (opts: BuildOpts, buildTagId: number | undefined) =>
    Effect.gen(function*() {
      if (opts.arch_override) {
        if (!opts.scratch) return yield* new BuildError({ message: "arch_override is only allowed for scratch builds" })
        yield* parseArches(opts.arch_override)
      }
      if (opts.rebuild_srpm !== undefined && opts.rebuild_srpm !== null && !opts.scratch) {
        return yield* new ParameterError({ message: "rebuild_srpm is only allowed for scratch builds" })
      }
      if (opts.scratch && opts.draft) {
        return yield* new ParameterError({ message: "scratch and draft cannot be both specified" })
      }
      for (const nvr of opts.wait_builds ?? []) yield* Nvr.parseNVR(nvr)
      if (opts.repo_id !== undefined && opts.repo_id !== null) {
        const [repo] = yield* sql<{ id: number; state: number; tag_id: number; tag_name: string }>`
          SELECT repo.id, repo.state, repo.tag_id, tag.name AS tag_name
            FROM repo JOIN tag ON tag.id = repo.tag_id WHERE repo.id = ${opts.repo_id}`
        if (repo === undefined) return yield* new BuildError({ message: `No such repo: ${opts.repo_id}` })
        // a repo that can never be used (one still being made may be ready when the task runs)
        if (repo.state === RepoState.DELETED || repo.state === RepoState.PROBLEM) {
          return yield* new BuildError({ message: `Bad repo: ${repo.id} (${RepoState.name(repo.state as RepoState)})` })
        }
        if (buildTagId !== undefined && repo.tag_id !== buildTagId) {
          const [tag] = yield* sql<{ name: string }>`SELECT name FROM tag WHERE id = ${buildTagId}`
          return yield* new BuildError({ message: `Repo/Target mismatch: ${repo.tag_name}/${tag?.name ?? buildTagId}` })
        }
      }
    })

  const makeTask = (
    method: "build" | "chainbuild",
    arglist: ReadonlyArray<unknown>,
    priority: number | null,
    channel: number | string | null
  ) =>
    Effect.gen(function*() {
      const session = yield* Caller.assertLogin
      const absolute = yield* priorityOf(priority)
      const id = yield* tasks.make({
        method,
        arglist,
        priority: absolute,
        channel: channel === null || channel === "" || channel === 0 ? undefined : channel
      }, session.userId)
      return id as TaskId
    })

  return {
    build: ({ channel, opts, priority, src, target }) =>
      Effect.gen(function*() {
        if (src === "") return yield* new ParameterError({ message: "src must not be empty" })
        const o = opts ?? {}
        const hasRepo = o.repo_id !== undefined && o.repo_id !== null
        // a target, or with repo_id a destination tag or nothing (Koji's build handler)
        let buildTagId: number | undefined
        if (target === null) {
          if (!hasRepo) return yield* new GenericError({ message: "unknown build target: None" })
        } else {
          const found = yield* targets.find(target)
          if (found !== undefined) {
            buildTagId = found.build_tag
          } else {
            if (!hasRepo) return yield* new GenericError({ message: `unknown build target: ${target}` })
            if ((yield* tags.find(target)) === undefined) {
              return yield* new GenericError({ message: `neither tag nor target: ${target}` })
            }
          }
        }
        yield* checkOpts(o, buildTagId)
        return yield* makeTask("build", [src, target, o], priority, channel)
      }),
    chainBuild: ({ channel, opts, priority, srcs, target }) =>
      Effect.gen(function*() {
        const o = opts ?? {}
        if (o.scratch) return yield* new BuildError({ message: "--scratch is not allowed with chain-builds" })
        const found = yield* targets.find(target)
        if (found === undefined) return yield* new GenericError({ message: `unknown build target: ${target}` })
        if (srcs.length === 0 || srcs.some((level) => level.length === 0)) {
          return yield* new ParameterError({ message: "each build level of a chain build needs at least one source" })
        }
        for (const level of srcs) {
          for (const src of level) {
            // Koji's CLI check: a SCM URL or an N-V-R
            const nvr = !src.includes("/") && !src.endsWith(".rpm") && src.split("-").length >= 3
            if (!src.includes("://") && !nvr) {
              return yield* new ParameterError({ message: `"${src}" is not a SCM URL or package N-V-R` })
            }
          }
        }
        yield* checkOpts(o, found.build_tag)
        return yield* makeTask("chainbuild", [srcs, target, o], priority, channel)
      })
  }
})).pipe(Layer.provide(targetsLayer), Layer.provide(tagsLayer))
