/**
 * The buildroot backend contract: what a builder's task handlers call to prepare a buildroot,
 * build an SRPM from a spec and rebuild an SRPM into RPMs (Koji's kojid `BuildRoot`).
 *
 * Two layers implement it: `Rpmbuild.layer` (the host's `rpmbuild` inside a bubblewrap sandbox,
 * the default) and `Mock.layer` (`mock` with a config generated from the build tag, as Koji's
 * production builders do).
 *
 * @since 0.1.0
 */
import type { Duration, Effect, Scope } from "effect"
import { Context, Schema } from "effect"
import type { BuildConfig } from "../api/Tags.js"
import * as Errors from "../domain/Errors.js"

/**
 * A buildroot step failed. It is Koji's `BuildrootError` (fault 1012), so a task handler may fail
 * with it as it is: its message becomes the task's fault. For a failed build the message ends with
 * rpmbuild's own error (the last lines of build.log); `log` names the log that tells more.
 *
 * @since 0.1.0
 * @category errors
 */
export class BuildrootError extends Errors.BuildrootError.extend<BuildrootError>("BuildrootError")({
  log: Schema.optional(Schema.Literal("build.log", "root.log"))
}) {}

/**
 * What a buildroot is made for.
 *
 * @since 0.1.0
 * @category models
 */
export interface BuildrootOptions {
  /** The buildroot id from `host.newBuildRoot`. */
  readonly id: number
  /** The target arch (`x86_64`, ...; for SRPM builds the host's arch). */
  readonly arch: string
  /** An empty directory the backend owns for this buildroot. */
  readonly dir: string
  /** Where `root.log` (buildroot steps) and `build.log` (rpmbuild's output) are appended as they run. */
  readonly logDir: string
  /** The longest one build step may run; it is killed after that. */
  readonly timeout: Duration.Duration
  /** Allow the network inside the buildroot: only for SCM SRPM builds (Koji's `rpmbuild_networking`). */
  readonly networking: boolean
  /** The build tag's name. */
  readonly tagName?: string | undefined
  /** The repo the buildroot installs from (null: none, the host's toolchain). */
  readonly repoId?: number | null | undefined
  /** The build tag's `getBuildConfig`: arches and extra (`rpm.macro.*`, `rpm.env.*`, `mock.*`). */
  readonly buildConfig?: BuildConfig | undefined
  /** The URL of the hub's topdir (`/kojifiles`), for mock's repo baseurl. */
  readonly topurl?: string | undefined
  /** The comps group mock installs (`build`, `srpm-build`); default `srpm-build` when `networking`, else `build`. */
  readonly installGroup?: string | undefined
}

/**
 * A prepared buildroot, as `init` answers it; pass it back to the same backend.
 *
 * @since 0.1.0
 * @category models
 */
export interface Root {
  readonly options: BuildrootOptions
  /** The backend that made it. */
  readonly backend: string
  /** The absolute path of `root.log`. */
  readonly rootLog: string
  /** The absolute path of `build.log`. */
  readonly buildLog: string
}

/**
 * One package installed in a buildroot (the entries of `host.setBuildRootList`).
 *
 * @since 0.1.0
 * @category models
 */
export interface InstalledRpm {
  readonly name: string
  readonly version: string
  readonly release: string
  readonly epoch: number | null
  readonly arch: string
}

/**
 * What `rebuild` made: absolute paths of the binary (and noarch) RPMs and of the SRPMs.
 *
 * @since 0.1.0
 * @category models
 */
export interface RebuildResult {
  readonly rpms: ReadonlyArray<string>
  readonly srpms: ReadonlyArray<string>
}

/**
 * A buildroot backend.
 *
 * @since 0.1.0
 * @category services
 */
export class BuildrootBackend extends Context.Tag("koji-ts/BuildrootBackend")<BuildrootBackend, {
  /** `rpmbuild` or `mock`. */
  readonly name: string
  /** Prepare the buildroot (steps in root.log); it is removed when the scope closes. */
  readonly init: (options: BuildrootOptions) => Effect.Effect<Root, BuildrootError, Scope.Scope>
  /** Build an SRPM from a spec and its sources (`rpmbuild -bs`); answers the .src.rpm's absolute path. */
  readonly buildSRPM: (
    root: Root,
    options: { readonly specFile: string; readonly sourceDir: string }
  ) => Effect.Effect<string, BuildrootError>
  /** Rebuild an SRPM for the root's arch; answers the absolute paths of the RPMs and SRPMs made. */
  readonly rebuild: (root: Root, options: { readonly srpm: string }) => Effect.Effect<RebuildResult, BuildrootError>
  /** What is installed in the root, for `host.setBuildRootList`; [] when the backend cannot know. */
  readonly installed: (root: Root) => Effect.Effect<ReadonlyArray<InstalledRpm>, BuildrootError>
}>() {}
