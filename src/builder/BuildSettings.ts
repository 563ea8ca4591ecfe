/**
 * A builder's settings for the build pipeline (Koji's `kojid.conf` keys that
 * matter here): which SCMs it may check out (`allowed_scms`), the time limits
 * of a checkout and of a build, and the RPM macros it adds to every build.
 *
 * Settings: `KOJI_ALLOWED_SCMS` (Koji's `allowed_scms` syntax; empty denies every
 * SCM), `KOJI_ALLOWED_SCMS_USE_POLICY` (ask the hub's `build_from_scm` policy
 * instead), `KOJI_CHECKOUT_TIMEOUT` and `KOJI_BUILD_TIMEOUT` (seconds; Koji's
 * `rpmbuild_timeout` is a day), `KOJI_ALLOW_PASSWORD_IN_SCM_URL`.
 *
 * @since 0.1.0
 */
import { Config, Context, Duration, Effect, Layer } from "effect"
import * as AllowList from "../scm/AllowList.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface BuildSettingsShape {
  /** Koji's `allowed_scms`: `host:repository[:use_common[:source_cmd]]` entries, `!` denies. */
  readonly allowedScms: AllowList.AllowList
  /** Ask the hub's `build_from_scm` policy instead of `allowedScms` (Koji's `allowed_scms_use_policy`). */
  readonly allowedScmsUsePolicy: boolean
  readonly allowPasswordInScmUrl: boolean
  readonly checkoutTimeout: Duration.Duration
  readonly buildTimeout: Duration.Duration
}

/**
 * @since 0.1.0
 * @category tags
 */
export class BuildSettings extends Context.Tag("koji-ts/builder/BuildSettings")<BuildSettings, BuildSettingsShape>() {}

/**
 * Koji's defaults: no SCM allowed, a day for a build, an hour for a checkout.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaults: BuildSettingsShape = {
  allowedScms: AllowList.empty,
  allowedScmsUsePolicy: false,
  allowPasswordInScmUrl: false,
  checkoutTimeout: Duration.hours(1),
  buildTimeout: Duration.days(1)
}

/**
 * The settings from the environment.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<BuildSettingsShape> = Config.all({
  allowedScms: AllowList.config,
  allowedScmsUsePolicy: Config.boolean("KOJI_ALLOWED_SCMS_USE_POLICY").pipe(
    Config.withDefault(defaults.allowedScmsUsePolicy)
  ),
  allowPasswordInScmUrl: Config.boolean("KOJI_ALLOW_PASSWORD_IN_SCM_URL").pipe(
    Config.withDefault(defaults.allowPasswordInScmUrl)
  ),
  checkoutTimeout: Config.integer("KOJI_CHECKOUT_TIMEOUT").pipe(
    Config.map(Duration.seconds),
    Config.withDefault(defaults.checkoutTimeout)
  ),
  buildTimeout: Config.integer("KOJI_BUILD_TIMEOUT").pipe(
    Config.map(Duration.seconds),
    Config.withDefault(defaults.buildTimeout)
  )
})

/**
 * The settings given (the rest Koji's defaults).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  settings: Partial<Omit<BuildSettingsShape, "allowedScms">> & { readonly allowedScms?: string | AllowList.AllowList } = {}
): Layer.Layer<BuildSettings> =>
  Layer.succeed(BuildSettings, {
    ...defaults,
    ...settings,
    allowedScms: typeof settings.allowedScms === "string"
      ? AllowList.parse(settings.allowedScms)
      : settings.allowedScms ?? defaults.allowedScms
  })

/**
 * The settings from the environment.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<BuildSettings, never> = Layer.effect(
  BuildSettings,
  Effect.tap(Effect.orDie(config), (settings) =>
    Effect.forEach(settings.allowedScms.ignored, (i) =>
      Effect.logWarning(`Ignoring incorrectly formatted SCM host:repository: ${i.text} (${i.reason})`)))
)
