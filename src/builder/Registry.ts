/**
 * The handlers a builder knows, by Koji method name. A team adds its own
 * handlers to the built-in ones without forking: `Registry.layer(myHandler)`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type { BuildrootBackend } from "../buildroot/Backend.js"
import type { BuildSettings } from "./BuildSettings.js"
import * as Build from "./handlers/Build.js"
import * as Generic from "./handlers/Generic.js"
import * as TagBuild from "./handlers/TagBuild.js"
import type { TaskHandler } from "./TaskHandler.js"

/**
 * @since 0.1.0
 * @category tags
 */
export class Registry extends Context.Tag("koji/builder/Registry")<Registry, ReadonlyMap<string, TaskHandler>>() {}

/**
 * A registry of `handlers` (a later handler replaces an earlier one for the same method).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (handlers: ReadonlyArray<TaskHandler>): ReadonlyMap<string, TaskHandler> => {
  const map = new Map<string, TaskHandler>()
  for (const handler of handlers) for (const method of handler.methods) map.set(method, handler)
  return map
}

/**
 * Koji's generic handlers (`sleep`, `fork`, `waittest`, `subtask`, `default`,
 * `dependantTask`, `shutdown`, `restart`, `restartVerify`, `restartHosts`) and `tagBuild`.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtin: ReadonlyArray<TaskHandler> = [...Generic.handlers, TagBuild.tagBuild]

/**
 * The built-in handlers plus `handlers`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (...handlers: ReadonlyArray<TaskHandler>): Layer.Layer<Registry> =>
  Layer.succeed(Registry, make([...builtin, ...handlers]))

/**
 * The built-in handlers, the build pipeline's (`build`, `buildSRPMFromSCM`, `rebuildSRPM`,
 * `buildArch`, `chainbuild`) on the backend and settings given, plus `handlers`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithBuilds = (
  ...handlers: ReadonlyArray<TaskHandler>
): Layer.Layer<Registry, never, BuildrootBackend | BuildSettings> =>
  Layer.effect(Registry, Effect.map(Build.handlers, (builds) => make([...builtin, ...builds, ...handlers])))
