/**
 * Koji's build pipeline on the builder (reference 5.8): `build` (the parent:
 * SRPM, one `buildArch` per arch, import, tag), `buildSRPMFromSCM`,
 * `rebuildSRPM`, `buildArch` and `chainbuild`, with Koji's arguments, weights
 * and results. The buildroot backend (`BuildrootBackend`) does the building;
 * these handlers check the source out, talk to the hub, and upload what they make.
 *
 * @since 0.1.0
 */
import { type Duration, Effect, Schema, type Scope } from "effect"
import { NodeContext } from "@effect/platform-node"
import { appendFile, mkdir, readdir, readFile } from "node:fs/promises"
import * as path from "node:path"
import { BuildrootBackend, type BuildrootOptions, type Root } from "../../buildroot/Backend.js"
import { BuildState } from "../../domain/Enums.js"
import * as Errors from "../../domain/Errors.js"
import * as Process from "../../buildroot/Process.js"
import * as RpmHeader from "../../rpm/Header.js"
import * as AllowList from "../../scm/AllowList.js"
import * as Checkout from "../../scm/Checkout.js"
import * as ScmUrl from "../../scm/ScmUrl.js"
import { BuildSettings, type BuildSettingsShape } from "../BuildSettings.js"
import * as TaskHandler from "../TaskHandler.js"

type Ctx = TaskHandler.TaskContext

const Opts = Schema.optionalElement(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown })))

const hub = <A, E>(effect: Effect.Effect<A, E>) => Effect.mapError(effect, TaskHandler.hubFailure)

const buildError = (message: string) => new Errors.BuildError({ message })

/** The arches of a list given as an array or as space- or comma-separated text. */
const archList = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(/[\s,]+/).filter((a) => a !== "") : []

/**
 * Koji's `getArchList`: the build tag's arches (plus the package's extra arches), narrowed by the
 * SRPM's BuildArch, ExclusiveArch and ExcludeArch; `noarch` alone when the package is noarch.
 *
 * @since 0.1.0
 * @category combinators
 */
export const arches = (options: {
  readonly tagArches: string | null
  readonly tagName: string
  readonly extraArches?: string | null | undefined
  readonly header: Pick<RpmHeader.RpmHeader, "buildarchs" | "exclusivearch" | "excludearch">
  readonly override?: string | null | undefined
}): Effect.Effect<ReadonlyArray<string>, Errors.BuildError> => {
  const tag = archList(options.tagArches)
  if (tag.length === 0) return Effect.fail(buildError(`No arches for tag ${options.tagName}`))
  const given = options.override != null ? archList(options.override) : [...tag, ...archList(options.extraArches)]
  const build = options.header.buildarchs
  let list = build.length > 0 ? (build.includes("noarch") ? ["noarch"] : given.filter((a) => build.includes(a))) : given
  if (options.header.exclusivearch.length > 0) {
    list = list.filter((a) => a === "noarch" || options.header.exclusivearch.includes(a))
  }
  list = list.filter((a) => !options.header.excludearch.includes(a))
  const unique = [...new Set(list)]
  return unique.length === 0
    ? Effect.fail(buildError(`No matching arches were found (tag ${options.tagName}: ${tag.join(" ")})`))
    : Effect.succeed(unique)
}

// the header of a local RPM file
const readHeader = (file: string) =>
  Effect.tryPromise({ try: () => readFile(file), catch: (e) => buildError(`cannot read ${file}: ${String(e)}`) }).pipe(
    Effect.flatMap((bytes) => RpmHeader.parse(bytes)),
    Effect.mapError((e) => e instanceof Errors.BuildError ? e : buildError(`${path.basename(file)}: ${e.message}`))
  )

// a fresh directory inside the task's workdir
const subdir = (ctx: Ctx, name: string) =>
  Effect.promise(async () => {
    const dir = path.join(ctx.workdir, name)
    await mkdir(dir, { recursive: true })
    return dir
  })

// a buildroot on the hub and in the backend, expired when the scope closes
const buildroot = (
  ctx: Ctx,
  options: {
    readonly arch: string
    readonly repoId: number | null
    readonly tag: number | string
    readonly networking: boolean
    readonly settings: BuildSettingsShape
  }
): Effect.Effect<{ readonly id: number; readonly root: Root }, TaskHandler.TaskError, Scope.Scope | BuildrootBackend> =>
  Effect.gen(function*() {
    const backend = yield* BuildrootBackend
    const buildConfig = yield* hub(ctx.hub.getBuildConfig({ tag: options.tag }))
    const id = yield* hub(ctx.hub.host.newBuildRoot({ repo: options.repoId, arch: options.arch, task_id: ctx.id }))
    yield* Effect.addFinalizer(() =>
      Effect.ignore(ctx.hub.host.setBuildRootState({ brootid: id, state: "EXPIRED", task_id: ctx.id }))
    )
    const dir = yield* subdir(ctx, `buildroot-${id}`)
    const rootOptions: BuildrootOptions = {
      id,
      arch: options.arch,
      dir,
      logDir: ctx.logDir,
      timeout: options.settings.buildTimeout,
      networking: options.networking,
      tagName: buildConfig.name,
      repoId: options.repoId,
      buildConfig
    }
    const root = yield* backend.init(rootOptions)
    const installed = yield* backend.installed(root)
    yield* hub(ctx.hub.host.setBuildRootList({ brootid: id, rpmlist: installed, task_id: ctx.id }))
    yield* hub(ctx.hub.host.setBuildRootState({ brootid: id, state: "BUILDING", task_id: ctx.id }))
    return { id, root }
  })

// the repo the task's options name (`repo_id`), if any
const repoOf = (options: Readonly<Record<string, unknown>>) => typeof options.repo_id === "number" ? options.repo_id : null

// a source package of the hub's `work/` fetched into the task's directory `dir`, and its header
const fetchSource = (ctx: Ctx, workPath: string, dir: string) =>
  Effect.gen(function*() {
    const local = path.join(yield* subdir(ctx, dir), path.basename(workPath))
    yield* ctx.download(`work/${workPath}`, local)
    const header = yield* readHeader(local)
    if (!header.isSource) return yield* buildError(`${path.basename(workPath)} is not a source package`)
    return { local, header }
  })

// an SRPM built from a spec and its sources in a fresh buildroot of the build tag
const srpmFrom = (
  ctx: Ctx,
  options: {
    readonly tag: number | string
    readonly repoId: number | null
    readonly networking: boolean
    readonly settings: BuildSettingsShape
    readonly specFile: string
    readonly sourceDir: string
  }
) =>
  Effect.gen(function*() {
    const { id: brootid, root } = yield* buildroot(ctx, { ...options, arch: ctx.host.arch })
    const backend = yield* BuildrootBackend
    const srpm = yield* backend.buildSRPM(root, { specFile: options.specFile, sourceDir: options.sourceDir })
    return { srpm, header: yield* readHeader(srpm), brootid }
  })

// the task's log files, as paths under work/
const uploadedLogs = (ctx: Ctx) =>
  Effect.promise(async () => (await readdir(ctx.logDir)).sort().map((name) => `${ctx.uploadPath}/${name}`))

// Koji forbids these in a spec built from SCM: the build system sets them
const forbiddenTags = ["Packager", "Distribution", "Vendor"]

const findSpec = (sourceDir: string) =>
  Effect.gen(function*() {
    const look = (dir: string) => Effect.promise(() => readdir(dir).catch(() => [] as Array<string>))
    let specs = (yield* look(sourceDir)).filter((f) => f.endsWith(".spec")).map((f) => path.join(sourceDir, f))
    if (specs.length === 0) {
      specs = (yield* look(path.join(sourceDir, "SPECS"))).filter((f) => f.endsWith(".spec"))
        .map((f) => path.join(sourceDir, "SPECS", f))
    }
    if (specs.length !== 1) {
      return yield* buildError(
        specs.length === 0 ? "No spec file found" : `Multiple spec files found: ${specs.map((s) => path.basename(s)).join(", ")}`
      )
    }
    const spec = specs[0]!
    const text = yield* Effect.promise(() => readFile(spec, "utf8"))
    for (const tag of forbiddenTags) {
      if (new RegExp(`^\\s*${tag}\\s*:`, "im").test(text)) {
        return yield* buildError(`${tag} tag is not allowed in spec file ${path.basename(spec)}`)
      }
    }
    return spec
  })

// run the SCM's source command (Koji's `make sources`) in the checkout, if one is set
const sourceCommand = (ctx: Ctx, sourceDir: string, command: ReadonlyArray<string>, timeout: Duration.Duration) =>
  command.length === 0 ? Effect.void : Effect.gen(function*() {
    yield* ctx.log(`running source command: ${command.join(" ")}`)
    yield* tool(command, {
      cwd: sourceDir,
      timeout,
      log: path.join(ctx.logDir, "checkout.log"),
      failure: "source command failed"
    })
  })

/**
 * Is the SCM URL allowed, and how: the builder's `allowed_scms`, or the hub's `build_from_scm` policy.
 */
const allowed = (ctx: Ctx, settings: BuildSettingsShape, url: ScmUrl.ScmUrl, opts: Record<string, unknown>) =>
  Effect.gen(function*() {
    if (!settings.allowedScmsUsePolicy) return yield* AllowList.apply(settings.allowedScms, url)
    const action = yield* hub(ctx.hub.host.evalPolicy({
      name: "build_from_scm",
      data: { ...ScmUrl.policyData(url), user_id: ctx.info.owner, channel: ctx.info.channel_id, scratch: opts.scratch === true }
    }))
    return yield* AllowList.applyPolicyAction(url, String(action))
  }).pipe(Effect.mapError((e) => e._tag === "ScmError" ? buildError(e.message) : e))

/**
 * `buildSRPMFromSCM(url, build_tag, opts=None)`: check the source out, build the SRPM in a
 * buildroot (with the network, as Koji's SCM SRPM builds), upload it; answers
 * `{srpm, logs, brootid, source: {url, source}}`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const buildSRPMFromSCM = TaskHandler.make({
  methods: ["buildSRPMFromSCM"],
  weight: 1.0,
  params: Schema.Tuple(Schema.String, Schema.Union(Schema.Int, Schema.String), Opts),
  handler: ([url, buildTag, opts], ctx) =>
    Effect.scoped(Effect.gen(function*() {
      const settings = yield* BuildSettings
      const options = opts ?? {}
      const scm = yield* Effect.mapError(
        ScmUrl.parse(url, { allowPasswordInUrl: settings.allowPasswordInScmUrl }),
        (e) => buildError(e.message)
      )
      const how = yield* allowed(ctx, settings, scm, options)
      const checkoutDir = yield* subdir(ctx, "checkout")
      yield* ctx.log(`checking out ${url}`)
      const checkoutLog = path.join(ctx.logDir, "checkout.log")
      const out = yield* Checkout.checkout(how, checkoutDir, {
        timeout: settings.checkoutTimeout,
        log: (chunk) => Effect.promise(() => appendFile(checkoutLog, chunk))
      }).pipe(Effect.mapError((e) => buildError(e.message)), Effect.provide(NodeContext.layer))
      yield* ctx.log(`checked out ${out.commit}`)
      yield* sourceCommand(ctx, out.sourceDir, how.sourceCmd ?? [], settings.checkoutTimeout)
      const { brootid, header, srpm } = yield* srpmFrom(ctx, {
        tag: buildTag,
        repoId: repoOf(options),
        networking: true,
        settings,
        specFile: yield* findSpec(out.sourceDir),
        sourceDir: out.sourceDir
      })
      if (!header.isSource) return yield* buildError(`${path.basename(srpm)} is not a source package`)
      const uploaded = yield* ctx.upload(srpm)
      return { srpm: uploaded, logs: yield* uploadedLogs(ctx), brootid, source: { url, source: out.source } }
    }))
})

/**
 * `rebuildSRPM(srpm, build_tag, opts=None)`: rebuild an uploaded SRPM in a buildroot of the build
 * tag (so it carries the tag's macros, e.g. its dist); answers `{srpm, logs, brootid}`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const rebuildSRPM = TaskHandler.make({
  methods: ["rebuildSRPM"],
  weight: 1.0,
  params: Schema.Tuple(Schema.String, Schema.Union(Schema.Int, Schema.String), Opts),
  handler: ([srpmPath, buildTag, opts], ctx) =>
    Effect.scoped(Effect.gen(function*() {
      const settings = yield* BuildSettings
      const options = opts ?? {}
      const { header, local } = yield* fetchSource(ctx, srpmPath, "input")
      const sources = yield* subdir(ctx, "unpacked")
      // a package may have no sources at all: SOURCES is there anyway
      yield* subdir(ctx, "unpacked/SOURCES")
      // rpm -i of a source package only unpacks it: the spec to SPECS, the sources to SOURCES
      yield* tool(
        ["rpm", "--define", `_topdir ${sources}`, "--dbpath", path.join(sources, ".rpmdb"), "-i", "--nodeps", "--", local],
        {
          cwd: sources,
          timeout: settings.checkoutTimeout,
          log: path.join(ctx.logDir, "task.log"),
          failure: `cannot unpack ${path.basename(local)}`
        }
      )
      const { brootid, header: rebuilt, srpm } = yield* srpmFrom(ctx, {
        tag: buildTag,
        repoId: repoOf(options),
        networking: false,
        settings,
        specFile: yield* findSpec(path.join(sources, "SPECS")),
        sourceDir: path.join(sources, "SOURCES")
      })
      if (rebuilt.name !== header.name) {
        return yield* buildError(`the rebuilt SRPM is ${rebuilt.name}, not ${header.name}`)
      }
      return { srpm: yield* ctx.upload(srpm), logs: yield* uploadedLogs(ctx), brootid }
    }))
})

/**
 * `buildArch(pkg, root, arch, keep_srpm, opts=None)`: rebuild the SRPM `pkg` (under `work/`) for
 * one arch in a fresh buildroot of tag `root`, upload the RPMs and logs; answers
 * `{rpms, srpms, logs, brootid}` (paths under `work/`).
 *
 * @since 0.1.0
 * @category handlers
 */
export const buildArch = TaskHandler.make({
  methods: ["buildArch"],
  weight: 1.5,
  params: Schema.Tuple(Schema.String, Schema.Union(Schema.Int, Schema.String), Schema.String, Schema.Boolean, Opts),
  handler: ([pkg, root, arch, keepSrpm, opts], ctx) =>
    Effect.scoped(Effect.gen(function*() {
      const settings = yield* BuildSettings
      const options = opts ?? {}
      const { local } = yield* fetchSource(ctx, pkg, "input")
      // noarch builds run on the host's own arch
      const buildOn = arch === "noarch" ? ctx.host.arch : arch
      const { id: brootid, root: br } = yield* buildroot(ctx, {
        arch: buildOn,
        repoId: repoOf(options),
        tag: root,
        networking: false,
        settings
      })
      yield* ctx.log(`building ${path.basename(pkg)} for ${arch}`)
      const backend = yield* BuildrootBackend
      const made = yield* backend.rebuild(br, { srpm: local })
      const rpms: Array<string> = []
      for (const file of made.rpms) {
        const h = yield* readHeader(file)
        // a noarch build keeps only noarch packages; an arch build its own arch and noarch
        if (arch === "noarch" ? h.arch !== "noarch" : h.arch !== arch && h.arch !== "noarch") {
          return yield* buildError(`${path.basename(file)} has arch ${h.arch}, built for ${arch}`)
        }
        rpms.push(yield* ctx.upload(file))
      }
      const srpms: Array<string> = []
      if (keepSrpm) srpms.push(yield* ctx.upload(made.srpms[0] ?? local))
      return { rpms, srpms, logs: yield* uploadedLogs(ctx), brootid }
    }))
})

// a tool run on the builder (not in a buildroot), in a clean environment: no secrets of the daemon's
const tool = (
  command: ReadonlyArray<string>,
  options: { readonly cwd: string; readonly timeout: Duration.Duration; readonly log: string; readonly failure: string }
) =>
  Process.run({
    command: command[0]!,
    args: command.slice(1),
    env: { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: options.cwd, LANG: "C.UTF-8" },
    cwd: options.cwd,
    log: options.log,
    timeout: options.timeout
  }).pipe(
    Effect.mapError((e) => buildError(`${options.failure}: ${e.message}`)),
    Effect.filterOrFail(
      (outcome) => outcome.exitCode === 0 && !outcome.timedOut,
      (outcome) =>
        buildError(`${options.failure}: ${command[0]} ${outcome.timedOut ? "timed out" : `exited with ${outcome.exitCode ?? outcome.signal}`}\n${outcome.tail.join("\n")}`)
    )
  )

const isScm = (src: string) => /^[a-z0-9+.-]+:\/\//i.test(src)

/**
 * `build(src, target, opts=None)`: Koji's top-level RPM build. The SRPM from SCM
 * (`buildSRPMFromSCM`) or an uploaded one (rebuilt by `rebuildSRPM` when `rebuild_srpm`), a
 * `buildArch` per arch, the import (`host.completeBuild`; scratch builds go to `scratch/`
 * instead), then the `tagBuild` into the target's destination tag unless `skip_tag`.
 * A failing arch fails the build with its error and cancels the others.
 *
 * @since 0.1.0
 * @category handlers
 */
export const build = TaskHandler.make({
  methods: ["build"],
  weight: 0.2,
  params: Schema.Tuple(Schema.String, Schema.Union(Schema.Int, Schema.String), Opts),
  handler: ([src, targetName, opts], ctx) =>
    Effect.gen(function*() {
      const options = opts ?? {}
      const scratch = options.scratch === true
      const target = yield* hub(ctx.hub.getBuildTarget({ info: targetName, strict: true }))
      if (target === null) return yield* buildError(`unknown build target: ${targetName}`)
      const repoId = repoOf(options)
      // Koji's build policies, asked of the hub before any work: an uploaded SRPM, a chosen repo, any RPM build
      const policyData = {
        user_id: ctx.info.owner,
        source: src,
        task_id: ctx.id,
        build_tag: target.build_tag,
        skip_tag: options.skip_tag === true,
        target: target.id,
        scratch
      }
      if (!isScm(src) && !scratch) yield* hub(ctx.hub.host.assertPolicy({ name: "build_from_srpm", data: policyData }))
      if (repoId !== null) yield* hub(ctx.hub.host.assertPolicy({ name: "build_from_repo_id", data: policyData }))
      yield* hub(ctx.hub.host.assertPolicy({ name: "build_rpm", data: policyData }))
      const childOpts = { repo_id: repoId, scratch }
      // the SRPM
      let srpm = src
      let source: { readonly url: string; readonly source: string } | undefined
      if (isScm(src)) {
        const id = yield* ctx.subtask("buildSRPMFromSCM", [src, target.build_tag, childOpts], { label: "srpm" })
        const result = (yield* ctx.wait({ tasks: [id], all: true, failany: true }))[id] as any
        srpm = String(result.srpm)
        source = result.source
      } else if (options.rebuild_srpm === true) {
        const id = yield* ctx.subtask("rebuildSRPM", [src, target.build_tag, childOpts], { label: "srpm" })
        const result = (yield* ctx.wait({ tasks: [id], all: true, failany: true }))[id] as any
        srpm = String(result.srpm)
      }
      const { header } = yield* fetchSource(ctx, srpm, "srpm")
      const nvr = `${header.name}-${header.version}-${header.release}`
      // the destination tag must list the package (not for scratch builds or skip_tag)
      let extraArches: string | null = null
      if (!scratch) {
        const entry = yield* hub(ctx.hub.getPackageConfig({ tag: target.dest_tag, pkg: header.name }))
        if (!options.skip_tag && (entry === null || entry.blocked)) {
          return yield* buildError(
            `package ${header.name} ${entry === null ? "not in list for" : "is blocked in"} tag ${target.dest_tag_name}`
          )
        }
        extraArches = entry?.extra_arches ?? null
      }
      if (options.arch_override != null && !scratch) {
        return yield* buildError("arch_override is only allowed for scratch builds")
      }
      const buildConfig = yield* hub(ctx.hub.getBuildConfig({ tag: target.build_tag }))
      const archlist = yield* arches({
        tagArches: buildConfig.arches,
        tagName: target.build_tag_name,
        extraArches,
        header,
        override: options.arch_override as string | null | undefined
      })
      yield* ctx.log(`building ${nvr} for ${archlist.join(", ")}`)
      const buildId = scratch ? null : yield* hub(ctx.hub.host.initBuild({
        data: {
          name: header.name,
          version: header.version,
          release: header.release,
          epoch: header.epoch,
          task_id: ctx.id,
          source: source?.source ?? null,
          extra: source === undefined ? null : { source: { original_url: source.url } }
        }
      }))
      const work = Effect.gen(function*() {
        const children: Array<number> = []
        for (const [i, arch] of archlist.entries()) {
          children.push(yield* ctx.subtask("buildArch", [srpm, target.build_tag, arch, i === 0, { repo_id: repoId }], {
            label: arch,
            arch
          }))
        }
        const results = yield* ctx.wait({ tasks: children, all: true, failany: true })
        const rpms: Array<string> = []
        const logs: Record<string, Array<string>> = {}
        const brmap: Record<string, number> = {}
        let builtSrpm = srpm
        for (const [i, id] of children.entries()) {
          const r = results[id] as { rpms: Array<string>; srpms: Array<string>; logs: Array<string>; brootid: number }
          const arch = archlist[i]!
          for (const rpm of r.rpms) {
            rpms.push(rpm)
            brmap[rpm] = r.brootid
          }
          if (r.srpms.length > 0) {
            builtSrpm = r.srpms[0]!
            brmap[builtSrpm] = r.brootid
          }
          logs[arch] = r.logs
        }
        if (buildId === null) {
          yield* hub(ctx.hub.host.moveBuildToScratch({ task_id: ctx.id, srpm: builtSrpm, rpms, logs }))
          return
        }
        yield* hub(ctx.hub.host.completeBuild({ task_id: ctx.id, build_id: buildId, srpm: builtSrpm, rpms, brmap, logs }))
        if (options.skip_tag !== true) {
          const tagTask = yield* ctx.subtask("tagBuild", [target.dest_tag, buildId, false, null, true], { label: "tag" })
          yield* ctx.wait({ tasks: [tagTask], all: true, failany: true })
        }
      })
      yield* work.pipe(
        Effect.onError(() =>
          buildId === null
            ? Effect.void
            : Effect.ignore(Effect.flatMap(ctx.hub.getBuild({ buildInfo: buildId }), (b) =>
              b !== null && b.state === BuildState.BUILDING
                ? ctx.hub.host.failBuild({ task_id: ctx.id, build_id: buildId })
                : Effect.void))
        )
      )
      return null
    })
})

/**
 * `chainbuild(srcs, target, opts=None)`: build levels of sources in order, each level's builds in
 * parallel; an NVR entry names a build that must already exist. (Koji waits for the build tag's
 * repo between levels; repos arrive with the repos issue, so a level starts when the last one is
 * tagged.)
 *
 * @since 0.1.0
 * @category handlers
 */
export const chainbuild = TaskHandler.make({
  methods: ["chainbuild"],
  weight: 0.1,
  params: Schema.Tuple(Schema.Array(Schema.Array(Schema.String)), Schema.Union(Schema.Int, Schema.String), Opts),
  handler: ([levels, target, opts], ctx) =>
    Effect.gen(function*() {
      const options = opts ?? {}
      if (options.scratch === true) return yield* buildError("chain builds cannot be scratch builds")
      for (const [n, level] of levels.entries()) {
        const children: Array<number> = []
        for (const [i, src] of level.entries()) {
          if (!isScm(src)) {
            const existing = yield* hub(ctx.hub.getBuild({ buildInfo: src }))
            if (existing === null || existing.state !== BuildState.COMPLETE) {
              return yield* buildError(`${src} is not a COMPLETE build and not an SCM URL`)
            }
            continue
          }
          children.push(yield* ctx.subtask("build", [src, target, { ...options, skip_tag: false }], { label: `${n}-${i}` }))
        }
        if (children.length > 0) yield* ctx.wait({ tasks: children, all: true, failany: true })
      }
      return null
    })
})

/**
 * The build pipeline's handlers, with the `BuildrootBackend` and `BuildSettings` they use.
 *
 * @since 0.1.0
 * @category constructors
 */
export const handlers: Effect.Effect<ReadonlyArray<TaskHandler.TaskHandler>, never, BuildrootBackend | BuildSettings> = Effect.map(
  Effect.context<BuildrootBackend | BuildSettings>(),
  (context) => {
    const needing: ReadonlyArray<TaskHandler.TaskHandler<BuildrootBackend | BuildSettings>> = [
      build,
      buildSRPMFromSCM,
      rebuildSRPM,
      buildArch,
      chainbuild
    ]
    return needing.map((h) => TaskHandler.provide(h, context))
  }
)
