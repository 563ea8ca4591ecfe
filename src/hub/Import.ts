/**
 * Importing RPMs (reference 9; Koji's `import_build`, `import_rpm`,
 * `import_rpm_file`, `import_build_log`, `add_rpm_sig`): the files a builder or
 * an admin uploaded under `work/` become `rpminfo` rows of a build and files in
 * the build's directory (`packages/N/V/R/<arch>/`, logs in `data/logs/<arch>/`,
 * signature headers in `data/sigcache/`).
 *
 * Every fact comes from the package headers, read from the file store with the
 * RPM header reader (never from file names, which are only checked against
 * them). An import runs in three steps: read and verify everything, write the
 * rows (in the caller's transaction), then place the files; a placement that
 * fails removes the ones already placed and fails the call, so its transaction
 * rolls back and the build stays as it was. A build's file is a link to the
 * uploaded one (Koji moves it and leaves a symlink), so the task's output
 * still lists everything it made.
 *
 * Also here: scratch results (`moveBuildToScratch`) and the log listing of a
 * build (`getBuildLogs`).
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError } from "@effect/sql"
import { Context, Effect, Either, Layer } from "effect"
import { createHash } from "node:crypto"
import type { BuildInfo, BuildLog, ImportedRpm } from "../api/Builds.js"
import type { Build } from "../domain/Build.js"
import { BuildState, TagUpdateType } from "../domain/Enums.js"
import { GenericError, type KojiError } from "../domain/Errors.js"
import type { BuildId, BuildrootId, RpmId } from "../domain/Ids.js"
import * as Header from "../rpm/Header.js"
import { FileStore, normalize, type StorageError } from "../storage/FileStore.js"
import * as Paths from "../storage/Paths.js"
import * as Database from "../db/Database.js"
import { Builds, layer as buildsLayer } from "./Builds.js"
import * as EventStream from "./EventStream.js"
import * as Nvr from "./Nvr.js"
import { Policy } from "./Policy.js"
import { policyDataFromArgs, Tasks } from "./Tasks.js"

type Failure = KojiError | SqlError.SqlError

/**
 * What `host.completeBuild` imports: the build task's uploads (paths relative to `work/`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CompleteSpec {
  readonly taskId: number
  readonly buildId: number
  readonly srpm: string
  readonly rpms: ReadonlyArray<string>
  /** Upload path to buildroot id. */
  readonly brmap?: Readonly<Record<string, number>> | null | undefined
  /** Arch (`""`: none) to the upload paths of its logs. */
  readonly logs?: Readonly<Record<string, ReadonlyArray<string>>> | null | undefined
}

/**
 * What `host.moveBuildToScratch` moves.
 *
 * @since 0.1.0
 * @category models
 */
export interface ScratchSpec {
  readonly taskId: number
  /** The name of the task's owner (the directory under `scratch/`). */
  readonly owner: string
  readonly srpm: string
  readonly rpms: ReadonlyArray<string>
  readonly logs?: Readonly<Record<string, ReadonlyArray<string>>> | null | undefined
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Import extends Context.Tag("koji/hub/Import")<Import, {
  /**
   * Koji's `import_build` for a BUILDING build of `taskId`: the SRPM and RPMs (a noarch
   * package uploaded from several arches once), their buildroots and logs; the build
   * COMPLETE on the volume the `volume` policy names. Answers the build.
   */
  readonly completeBuild: (spec: CompleteSpec) => Effect.Effect<Build, Failure>
  /**
   * `importRPM`: one uploaded package (`work/<path>/<basename>`). A source package makes its
   * build (COMPLETE, owned by `actorId`) when the N-V-R is new; a binary package joins the
   * build its source package names.
   */
  readonly importRpm: (path: string, basename: string, actorId: number) => Effect.Effect<ImportedRpm, Failure>
  /** `host.moveBuildToScratch`: the files to `scratch/<owner>/task_<id>/` (logs in `logs/<arch>/`); no rows. */
  readonly moveToScratch: (spec: ScratchSpec) => Effect.Effect<void, Failure>
  /** `getBuildLogs`: the files under the build's `data/logs/`. */
  readonly buildLogs: (info: BuildInfo) => Effect.Effect<ReadonlyArray<BuildLog>, Failure>
}>() {}

/**
 * An uploaded package, read and checked: its topdir path, header and file size.
 *
 * @since 0.1.0
 * @category models
 */
export interface Package {
  /** As given (relative to `work/`). */
  readonly relpath: string
  /** Topdir-relative. */
  readonly path: string
  readonly basename: string
  readonly header: Header.RpmHeader
  readonly sigmd5: string
  readonly size: number
}

const basenameOf = (path: string) => path.slice(path.lastIndexOf("/") + 1)

/**
 * A path under `work/` (Koji's upload paths are relative to it) as a topdir path; anything that
 * would leave `work/` is refused.
 *
 * @since 0.1.0
 * @category combinators
 */
export const workPath = (relpath: string): Effect.Effect<string, GenericError> =>
  Effect.gen(function*() {
    const invalid = new GenericError({ message: `Invalid upload path: ${relpath}` })
    if (typeof relpath !== "string" || relpath === "" || relpath.startsWith("/")) return yield* invalid
    const path = yield* Effect.mapError(normalize(`work/${relpath}`), () => invalid)
    if (!path.startsWith("work/")) return yield* invalid
    return path
  })

const storageFailure = (e: StorageError) =>
  new GenericError({ message: e.reason === "NotFound" ? `No such file: ${e.path}` : `${e.message} (${e.path})` })

// one file to put in place, and how to take it back
interface Placement {
  readonly from?: string
  readonly to: string
  readonly data?: Uint8Array
}

/**
 * The import service on the database, the file store and the hub's policies.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const store = yield* FileStore
  const builds = yield* Builds
  const policy = yield* Policy
  const tasks = yield* Tasks
  const withSql = Database.withSql(sql)
  const fs = {
    stat: (path: string) => Effect.mapError(store.stat(path), storageFailure),
    read: (path: string, size: number) => Effect.mapError(store.read(path, { offset: 0, size }), storageFailure)
  }

  // an uploaded package: it exists, its header reads, and it has a sigmd5
  const readPackage = (relpath: string, path?: string) =>
    Effect.gen(function*() {
      const file = path ?? (yield* workPath(relpath))
      const info = yield* fs.stat(file)
      if (info === undefined || info.isDirectory) return yield* new GenericError({ message: `No such file: ${file}` })
      const header = yield* Header.read((size) => fs.read(file, size)).pipe(
        Effect.catchTag("RpmHeaderError", (e) => new GenericError({ message: `Invalid rpm: ${file}: ${e.message}` }))
      )
      if (header.sigmd5 === null) {
        return yield* new GenericError({ message: `Invalid rpm: ${file}: no MD5 digest in its signature header` })
      }
      yield* Nvr.checkNVRA(header)
      const pkg: Package = { relpath, path: file, basename: basenameOf(file), header, sigmd5: header.sigmd5, size: info.size }
      // Koji's sanity check: the file is named for what its header says
      const expected = `${Nvr.formatNVRA(header)}.rpm`
      if (pkg.basename !== expected) {
        return yield* new GenericError({ message: `bad filename: ${pkg.basename} (expected ${expected})` })
      }
      return pkg
    })

  // Koji's check_noarch_rpms: a noarch package uploaded by several arches is imported once (the first)
  const dedupeNoarch = (rpms: ReadonlyArray<string>) => {
    const seen = new Set<string>()
    return rpms.filter((relpath) => {
      if (!relpath.endsWith(".noarch.rpm")) return true
      const name = basenameOf(relpath)
      if (seen.has(name)) return false
      seen.add(name)
      return true
    })
  }

  const requireAbsent = (path: string, message: string) =>
    Effect.flatMap(fs.stat(path), (info) => info === undefined ? Effect.void : Effect.fail(new GenericError({ message })))

  // put every file in place; on a failure, undo what was done and fail
  const place = (placements: ReadonlyArray<Placement>) =>
    Effect.gen(function*() {
      const done: Array<Placement> = []
      for (const p of placements) {
        const result = yield* Effect.either(
          p.from !== undefined ? store.link(p.from, p.to) : store.writeFile(p.to, p.data ?? new Uint8Array(0))
        )
        if (Either.isLeft(result)) {
          for (const d of done.reverse()) {
            yield* Effect.ignore(store.remove(d.to))
          }
          return yield* storageFailure(result.left)
        }
        done.push(p)
      }
    })

  const typedRpm = (buildId: number) =>
    sql`
      INSERT INTO build_types (build_id, btype_id)
      SELECT ${buildId}, btype.id FROM btype WHERE btype.name = 'rpm'
      ON CONFLICT DO NOTHING`

  // an N-V-R.A is one internal non-draft RPM
  const assertNew = (pkg: Package, draft: boolean) =>
    Effect.gen(function*() {
      if (draft) return
      const h = pkg.header
      const [clash] = yield* sql<{ id: number }>`
        SELECT id FROM rpminfo WHERE name = ${h.name} AND version = ${h.version} AND release = ${h.release}
           AND arch = ${h.arch} AND external_repo_id = 0 AND draft IS NOT TRUE`
      if (clash !== undefined) {
        return yield* new GenericError({ message: `Rpm already exists: ${Nvr.formatNVRA(h)} (id=${clash.id})` })
      }
    })

  // an rpminfo row (and its unsigned or signed signature row); answers its id
  const insertRpm = (buildId: number, draft: boolean, pkg: Package, buildrootId: number | null) =>
    Effect.gen(function*() {
      const h = pkg.header
      const [row] = yield* sql<{ id: number }>`
        INSERT INTO rpminfo ${
        sql.insert({
          build_id: buildId,
          buildroot_id: buildrootId,
          name: h.name,
          version: h.version,
          release: h.release,
          epoch: h.epoch,
          arch: h.arch,
          draft,
          external_repo_id: 0,
          payloadhash: pkg.sigmd5,
          size: pkg.size,
          buildtime: h.buildtime,
          metadata_only: false,
          extra: null
        } as any)
      } RETURNING id`
      // the signature header, by its md5 (Koji's add_rpm_sig: sigkey '' for an unsigned package)
      const sighash = createHash("md5").update(h.signatureBytes).digest("hex")
      yield* sql`INSERT INTO rpmsigs (rpm_id, sigkey, sighash) VALUES (${row!.id}, ${h.sigkey}, ${sighash})`
      return row!.id
    })

  // where a package and its cached signature header go in a build's directory
  const placementsOf = (dir: string, pkg: Package): ReadonlyArray<Placement> => {
    const rel = `${pkg.header.arch}/${pkg.basename}`
    return [
      { from: pkg.path, to: `${dir}/${rel}` },
      { to: `${dir}/data/sigcache/${pkg.header.sigkey === "" ? "" : `${pkg.header.sigkey}/`}${rel}.sig`, data: pkg.header.signatureBytes }
    ]
  }

  const checkDestinations = (placements: ReadonlyArray<Placement>) =>
    Effect.forEach(placements, (p) =>
      requireAbsent(
        p.to,
        p.to.includes("/data/logs/")
          ? `Error importing build log. ${p.to} already exists.`
          : `Error importing archive file, ${p.to} already exists`
      ), { discard: true })

  const volumeOf = (data: Record<string, unknown>) =>
    Effect.gen(function*() {
      // Koji's check_volume_policy(strict=False, default='DEFAULT'): a bad answer falls back to DEFAULT
      const verdict = yield* Effect.either(policy.apply("volume", data))
      const name = Either.isRight(verdict) ? verdict.right.action?.trim() : undefined
      if (name !== undefined && name !== "") {
        const [volume] = yield* sql<{ id: number; name: string }>`SELECT id, name FROM volume WHERE name = ${name}`
        if (volume !== undefined) return volume
        yield* Effect.logError(`Volume policy returned no such volume ${name}`)
      }
      const [fallback] = yield* sql<{ id: number; name: string }>`SELECT id, name FROM volume WHERE name = 'DEFAULT'`
      return fallback ?? { id: 0, name: "DEFAULT" }
    })

  const taskPolicyData = (taskId: number) =>
    Effect.map(tasks.find(taskId, true), (task) =>
      task === undefined || !Array.isArray(task.request) ? {} : policyDataFromArgs(task.request as ReadonlyArray<unknown>))

  // the logs of an import: where each goes (Koji's import_build_log)
  const logPlacements = (logdir: string, logs: Readonly<Record<string, ReadonlyArray<string>>> | null | undefined) =>
    Effect.gen(function*() {
      const out: Array<Placement> = []
      const targets = new Set<string>()
      for (const [key, files] of Object.entries(logs ?? {})) {
        if (key.includes("/") || key === "." || key === "..") {
          return yield* new GenericError({ message: `Invalid log directory: ${key}` })
        }
        for (const relpath of files) {
          const from = yield* workPath(relpath)
          const info = yield* fs.stat(from)
          if (info === undefined || info.isDirectory) {
            return yield* new GenericError({ message: `Error importing build log. ${from} is not a regular file.` })
          }
          const to = `${logdir}${key ? `/${key}` : ""}/${basenameOf(from)}`
          if (targets.has(to)) return yield* new GenericError({ message: `Error importing build log. ${to} already exists.` })
          targets.add(to)
          out.push({ from, to })
        }
      }
      return out
    })

  const completeBuild: Import["Type"]["completeBuild"] = (spec) =>
    Effect.gen(function*() {
      const brmap = spec.brmap ?? {}
      // 1. read and verify everything
      for (const relpath of [spec.srpm, ...spec.rpms]) {
        const path = yield* workPath(relpath)
        const info = yield* fs.stat(path)
        if (info === undefined || info.isDirectory) return yield* new GenericError({ message: `No such file: ${path}` })
      }
      const rpmPaths = dedupeNoarch(spec.rpms)
      const buildroots = [...new Set(Object.values(brmap))]
      for (const id of buildroots) {
        const [found] = yield* sql<{ id: number }>`SELECT id FROM buildroot WHERE id = ${id}`
        if (found === undefined) return yield* new GenericError({ message: `no buildroot with ID: ${id}` })
      }
      const srpm = yield* readPackage(spec.srpm)
      if (!srpm.header.isSource) return yield* new GenericError({ message: `not a source package: ${srpm.path}` })
      const [locked] = yield* sql<{ state: number }>`SELECT state FROM build WHERE id = ${spec.buildId} FOR UPDATE`
      const build = locked === undefined ? undefined : yield* builds.find(spec.buildId)
      if (build === undefined) return yield* new GenericError({ message: `No such build: ${spec.buildId}` })
      const release = build.draft ? `${srpm.header.release},draft_${build.id}` : srpm.header.release
      const fromSrpm = {
        name: srpm.header.name,
        version: srpm.header.version,
        release,
        epoch: srpm.header.epoch,
        task_id: spec.taskId
      } as const
      for (const key of ["name", "version", "release", "epoch", "task_id"] as const) {
        if (build[key] !== fromSrpm[key]) {
          return yield* new GenericError({
            message: `Unable to complete build: ${key} mismatch (build: ${pyStr(build[key])}, rpm: ${pyStr(fromSrpm[key])})`
          })
        }
      }
      if (build.state !== BuildState.BUILDING) {
        return yield* new GenericError({
          message: `Unable to complete build: state is ${BuildState.name(build.state)}`
        })
      }
      // each package names this build's source package
      const target = { name: build.name, version: build.version, release: srpm.header.release }
      const srpmName = `${Nvr.formatNVR(target)}.src.rpm`
      if (srpm.basename !== srpmName) {
        return yield* new GenericError({ message: `srpm mismatch for ${srpm.path}: ${srpm.basename} (expected ${srpmName})` })
      }
      const packages: Array<Package> = [srpm]
      for (const relpath of rpmPaths) {
        const pkg = yield* readPackage(relpath)
        if (pkg.header.isSource) {
          if (pkg.basename !== srpmName) {
            return yield* new GenericError({ message: `srpm mismatch for ${pkg.path}: ${pkg.basename} (expected ${srpmName})` })
          }
        } else if (pkg.header.sourcerpm !== srpmName) {
          return yield* new GenericError({
            message: `srpm mismatch for ${pkg.path}: ${pkg.header.sourcerpm} (expected ${srpmName})`
          })
        }
        packages.push(pkg)
      }
      const seen = new Set<string>()
      for (const pkg of packages) {
        const nvra = Nvr.formatNVRA(pkg.header)
        if (seen.has(nvra)) return yield* new GenericError({ message: `duplicate package in import: ${nvra}` })
        seen.add(nvra)
        yield* assertNew(pkg, build.draft)
      }
      const volume = yield* volumeOf({
        package: build.name,
        version: build.version,
        release: build.release,
        buildroots: Object.values(brmap),
        import: true,
        import_type: "rpm",
        ...(yield* taskPolicyData(spec.taskId))
      })
      const dir = Paths.build(build, volume.name)
      const placements = [
        ...packages.flatMap((pkg) => placementsOf(dir, pkg)),
        ...(yield* logPlacements(`${dir}/data/logs`, spec.logs))
      ]
      yield* checkDestinations(placements)
      // 2. the rows
      yield* sql`
        UPDATE build SET state = ${BuildState.COMPLETE}, completion_time = now(), volume_id = ${volume.id}
         WHERE id = ${build.id}`
      yield* typedRpm(build.id)
      for (const pkg of packages) {
        yield* insertRpm(build.id, build.draft, pkg, brmap[pkg.relpath] ?? null)
      }
      yield* withSql(EventStream.publish({
        kind: "build.state",
        build_id: build.id,
        task_id: spec.taskId,
        data: { old: BuildState.BUILDING, new: BuildState.COMPLETE, nvr: build.nvr }
      }))
      // 3. the files
      yield* place(placements)
      return yield* builds.require(build.id)
    })

  const importRpm: Import["Type"]["importRpm"] = (path, basename, actorId) =>
    Effect.gen(function*() {
      if (basename.includes("/")) return yield* new GenericError({ message: `Invalid file name: ${basename}` })
      const file = yield* workPath(`${path}/${basename}`)
      const pkg = yield* readPackage(`${path}/${basename}`, file)
      const h = pkg.header
      let build: Build | undefined
      if (h.isSource) {
        build = yield* builds.find({ name: h.name, version: h.version, release: h.release })
        if (build === undefined) {
          // Koji's new_build(rpminfo): a COMPLETE build owned by the importer, on the DEFAULT volume
          const id = yield* builds.import({
            name: h.name,
            version: h.version,
            release: h.release,
            epoch: h.epoch,
            volumeId: 0
          }, actorId)
          build = yield* builds.require(id)
        }
      } else {
        const source = Nvr.parseNVRA(h.sourcerpm ?? "")
        build = Either.isRight(source)
          ? yield* builds.find({ name: source.right.name, version: source.right.version, release: source.right.release })
          : undefined
        if (build === undefined) return yield* new GenericError({ message: "No such build" })
      }
      const state = BuildState.name(build.state)
      if (state === "FAILED" || state === "CANCELED" || state === "DELETED") {
        return yield* new GenericError({ message: `Build is ${state}: ${build.nvr}` })
      }
      yield* assertNew(pkg, build.draft)
      const placements = placementsOf(Paths.build(build, build.volume_name), pkg)
      yield* checkDestinations(placements)
      yield* typedRpm(build.id)
      const rpmId = yield* insertRpm(build.id, build.draft, pkg, null)
      // tags holding the build see new content (Koji's set_tag_update(..., 'IMPORT'))
      const tags = yield* sql<{ tag_id: number }>`
        SELECT DISTINCT tag_id FROM tag_listing WHERE build_id = ${build.id} AND active IS TRUE`
      for (const tag of tags) {
        yield* sql`INSERT INTO tag_updates (tag_id, updater_id, update_type)
          VALUES (${tag.tag_id}, ${actorId}, ${TagUpdateType.IMPORT})`
      }
      yield* place(placements)
      const final = yield* builds.require(build.id)
      return {
        name: h.name,
        version: h.version,
        release: h.release,
        epoch: h.epoch,
        sourcepackage: h.isSource ? 1 : null,
        arch: h.arch,
        buildtime: h.buildtime,
        sourcerpm: h.sourcerpm,
        draft: build.draft,
        id: rpmId as RpmId,
        build_id: build.id as BuildId,
        size: pkg.size,
        payloadhash: pkg.sigmd5,
        buildroot_id: null as BuildrootId | null,
        external_repo_id: 0,
        build: final,
        brootid: null as BuildrootId | null
      }
    })

  const moveToScratch: Import["Type"]["moveToScratch"] = (spec) =>
    Effect.gen(function*() {
      const paths: Array<string> = []
      for (const relpath of [spec.srpm, ...spec.rpms]) {
        const path = yield* workPath(relpath)
        const info = yield* fs.stat(path)
        if (info === undefined || info.isDirectory) return yield* new GenericError({ message: `No such file: ${path}` })
        paths.push(path)
      }
      const dir = Paths.scratch(spec.owner, spec.taskId)
      const kept = new Set(dedupeNoarch([spec.srpm, ...spec.rpms]))
      const placements: Array<Placement> = [
        ...paths.filter((_, i) => kept.has([spec.srpm, ...spec.rpms][i]!)).map((from) => ({ from, to: `${dir}/${basenameOf(from)}` })),
        ...(yield* logPlacements(`${dir}/logs`, spec.logs))
      ]
      // Koji's move_and_symlink replaces what a previous attempt left there
      for (const p of placements) yield* Effect.mapError(store.remove(p.to), storageFailure)
      yield* place(placements)
    })

  const buildLogs: Import["Type"]["buildLogs"] = (info) =>
    Effect.gen(function*() {
      const build = yield* builds.require(info)
      const logdir = `${Paths.build(build, build.volume_name)}/data/logs`
      const files = yield* Effect.mapError(store.walk(logdir), storageFailure)
      return files.map((rel): BuildLog => {
        const slash = rel.lastIndexOf("/")
        const dir = slash === -1 ? "." : rel.slice(0, slash)
        const name = rel.slice(slash + 1)
        return { name, dir, path: `${logdir}/${dir}/${name}` }
      })
    })

  return Import.of({ completeBuild, importRpm, moveToScratch, buildLogs })
})

// Python's str() of a value in Koji's mismatch message
const pyStr = (value: unknown) => (value === null || value === undefined ? "None" : String(value))

/**
 * The import service (with the `Builds` service it uses).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Import, never, SqlClient.SqlClient | FileStore | Policy | Tasks> = Layer.effect(
  Import,
  make
).pipe(Layer.provide(buildsLayer))
