/**
 * `importRPM` (Koji's `koji import` path) on a served hub, on both databases:
 * Koji's recorded request replayed over XML-RPC and answered in the shape of
 * Koji's recorded answer; an SRPM makes its build, its RPMs join it; rows as
 * rpm -qp reads the files; files in the build directory; Koji's refusals. Also
 * the raw XML-RPC refusal of an unknown `build` option.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as KojiClient from "../src/client/KojiClient.js"
import { BuildState, TagUpdateType } from "../src/domain/Enums.js"
import * as Bootstrap from "../src/hub/Bootstrap.js"
import * as Hub from "../src/hub/Hub.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Server from "../src/rpc/Server.js"
import * as FileStore from "../src/storage/FileStore.js"
import * as Codec from "../src/xmlrpc/Codec.js"
import { Double } from "../src/xmlrpc/Value.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as RpmBuild from "./utils/RpmBuild.js"
import * as Samples from "./utils/Samples.js"

// a hub serving /kojihub (and /api) over HTTP, its files in memory
const hubLayer = (database: Layer.Layer<any>) =>
  Server.layer({ host: "127.0.0.1", port: 0 }).pipe(
    Layer.provideMerge(Hub.layer),
    Layer.provideMerge(Layer.effectDiscard(Bootstrap.ensureAdmin({ password: TestHub.adminPassword }))),
    Layer.provideMerge(HubConfig.layer({})),
    Layer.provideMerge(FileStore.layerMemory),
    Layer.provideMerge(database),
    Layer.orDie
  )

const xmlrpc = (user = "admin", password = TestHub.adminPassword) =>
  Effect.gen(function*() {
    const url = yield* Server.url
    const client = yield* KojiClient.makeXmlRpc({ url: `${url}/kojihub` })
    yield* client.login({ user, password })
    return client
  })

// a raw XML-RPC call with the client's session (as Koji's own clients send it)
const raw = (client: KojiClient.Client, body: string) =>
  Effect.gen(function*() {
    const url = yield* Server.url
    const session = (yield* client.session)!
    const text = yield* Effect.promise(() =>
      fetch(`${url}/kojihub`, {
        method: "POST",
        headers: {
          "Content-Type": "text/xml",
          "Koji-Session-Id": String(session.id),
          "Koji-Session-Key": session.key,
          "Koji-Session-Callnum": String(session.callnum++)
        },
        body
      }).then((r) => r.text())
    )
    return yield* Codec.parseMethodResponse(text, { keepDoubles: true })
  })

// the XML-RPC type of every value, recursively (what a Koji client sees)
const shape = (value: unknown): unknown => {
  if (value === null || value === undefined) return "nil"
  if (typeof value === "boolean") return "boolean"
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "double"
  if (typeof value === "string") return "string"
  if (Array.isArray(value)) return value.map(shape)
  if (value instanceof Double) return "double"
  if (typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shape(v)]))
  return typeof value
}

const sample = (name: string) => Fs.readFileSync(`${Samples.directory}/${name}`, "utf8")

describe("importRPM", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    layer(hubLayer(Database), { timeout: "180 seconds", excludeTestServices: true })(db, (it) => {
      it.scoped("Koji's recorded koji-import call: the SRPM makes its build; the answer has Koji's shape", () =>
        Effect.gen(function*() {
          const built = yield* RpmBuild.build({ name: "peerdemo", version: "1.0", release: "1" })
          const admin = yield* xmlrpc()
          const store = yield* FileStore.FileStore
          // the upload the CLI made before the call, then the call exactly as recorded
          yield* RpmBuild.put("work/cli-import/1795586897.0595036.NgKvLqes/peerdemo-1.0-1.src.rpm", built.srpm)
          const ours = yield* raw(admin, sample("importRPM.request.xml"))
          const koji = yield* Codec.parseMethodResponse(sample("importRPM.response.xml"), { keepDoubles: true })
          expect(ours._tag).toBe("Params")
          const value = (ours as { value: any }).value
          const recorded = (koji as { value: any }).value
          // the same members in the same order, of the same XML-RPC types (the build's members as a set)
          expect(Object.keys(value)).toEqual(Object.keys(recorded))
          const { build: ourBuild, ...ourRpm } = shape(value) as any
          const { build: kojiBuild, ...kojiRpm } = shape(recorded) as any
          expect(ourRpm).toEqual(kojiRpm)
          expect(Object.keys(ourBuild).sort()).toEqual(Object.keys(kojiBuild).sort())
          for (const key of Object.keys(kojiBuild)) {
            if (kojiBuild[key] !== "nil") expect([key, ourBuild[key]]).toEqual([key, kojiBuild[key]])
          }
          // the values a Koji hub answers for this package, ours from the file itself
          expect(value).toMatchObject({
            name: "peerdemo",
            version: "1.0",
            release: "1",
            epoch: null,
            sourcepackage: 1,
            arch: "src",
            sourcerpm: null,
            draft: false,
            buildroot_id: null,
            external_repo_id: 0,
            brootid: null,
            size: Fs.statSync(built.srpm).size,
            payloadhash: RpmBuild.query(built.srpm, "%{SIGMD5}"),
            buildtime: Number(RpmBuild.query(built.srpm, "%{BUILDTIME}"))
          })
          expect(value.build).toMatchObject({
            nvr: "peerdemo-1.0-1",
            state: BuildState.COMPLETE,
            owner_name: "admin",
            task_id: null,
            volume_name: "DEFAULT",
            source: null,
            extra: null
          })
          expect(value.build_id).toBe(value.build.id)
          // the file is in the build directory (and still at the upload path, as Koji's symlink)
          expect(yield* store.stat("work/cli-import/1795586897.0595036.NgKvLqes/peerdemo-1.0-1.src.rpm")).toBeDefined()
          const placed = yield* store.read("packages/peerdemo/1.0/1/src/peerdemo-1.0-1.src.rpm")
          expect(Buffer.from(placed).equals(Fs.readFileSync(built.srpm))).toBe(true)
          // then its RPMs join the build (typed client over XML-RPC)
          for (const file of built.rpms) {
            const name = Path.basename(file)
            yield* RpmBuild.put(`work/cli-import/second/${name}`, file)
            const rpm = yield* admin.importRPM({ path: "cli-import/second", basename: name })
            expect(rpm).toMatchObject({
              build_id: value.build_id,
              sourcepackage: null,
              sourcerpm: "peerdemo-1.0-1.src.rpm",
              arch: RpmBuild.query(file, "%{ARCH}"),
              payloadhash: RpmBuild.query(file, "%{SIGMD5}"),
              size: Fs.statSync(file).size
            })
            expect(yield* store.stat(`packages/peerdemo/1.0/1/${rpm.arch}/${name}`)).toBeDefined()
          }
          const rows = (yield* admin.listRPMs({ buildID: value.build_id })) as ReadonlyArray<any>
          expect(rows.map((r) => `${r.name}.${r.arch}`).sort()).toEqual(["peerdemo-data.noarch", "peerdemo.src", "peerdemo.x86_64"])
          expect(yield* admin.getBuildLogs({ build: "peerdemo-1.0-1" })).toEqual([])
          // importing the same package again
          yield* RpmBuild.put("work/cli-import/third/peerdemo-1.0-1.src.rpm", built.srpm)
          const srcId = rows.find((r) => r.arch === "src").id
          expect(yield* TestHub.failure(admin.importRPM({ path: "cli-import/third", basename: "peerdemo-1.0-1.src.rpm" }))).toEqual({
            _tag: "GenericError",
            message: `Rpm already exists: peerdemo-1.0-1.src (id=${srcId})`
          })
        }), { timeout: 120_000 })

      it.scoped("a tagged build's tags record the import; Koji's refusals", () =>
        Effect.gen(function*() {
          const built = yield* RpmBuild.build({ name: "impref", version: "2", release: "1" })
          const orphan = yield* RpmBuild.build({ name: "imporphan", version: "1", release: "1", dataSubpackage: false })
          const admin = yield* xmlrpc()
          const sql = yield* SqlClient.SqlClient
          const binary = built.rpms.find((f) => f.endsWith(".x86_64.rpm"))!
          // an RPM whose source package was never imported
          yield* RpmBuild.put(`work/imp/a/${Path.basename(orphan.rpms[0]!)}`, orphan.rpms[0]!)
          expect(yield* TestHub.failure(admin.importRPM({ path: "imp/a", basename: Path.basename(orphan.rpms[0]!) }))).toEqual({
            _tag: "GenericError",
            message: "No such build"
          })
          // missing, garbage, misnamed, out of work/
          expect(yield* TestHub.failure(admin.importRPM({ path: "imp/a", basename: "missing-1-1.src.rpm" }))).toEqual({
            _tag: "GenericError",
            message: "No such file: work/imp/a/missing-1-1.src.rpm"
          })
          const store = yield* FileStore.FileStore
          yield* store.writeFile("work/imp/a/junk-1-1.src.rpm", new TextEncoder().encode("not an rpm at all"))
          expect(yield* TestHub.failure(admin.importRPM({ path: "imp/a", basename: "junk-1-1.src.rpm" }))).toEqual({
            _tag: "GenericError",
            message: "Invalid rpm: work/imp/a/junk-1-1.src.rpm: not an RPM file (bad lead magic)"
          })
          yield* RpmBuild.put("work/imp/a/renamed.src.rpm", built.srpm)
          expect(yield* TestHub.failure(admin.importRPM({ path: "imp/a", basename: "renamed.src.rpm" }))).toEqual({
            _tag: "GenericError",
            message: "bad filename: renamed.src.rpm (expected impref-2-1.src.rpm)"
          })
          expect(yield* TestHub.failure(admin.importRPM({ path: "../packages", basename: "x-1-1.src.rpm" }))).toEqual({
            _tag: "GenericError",
            message: "Invalid upload path: ../packages/x-1-1.src.rpm"
          })
          // only admins
          yield* admin.createUser({ username: "importer", password: "pw" })
          const user = yield* xmlrpc("importer", "pw")
          expect(yield* TestHub.failure(user.importRPM({ path: "imp/a", basename: "renamed.src.rpm" }))).toEqual({
            _tag: "ActionNotAllowed",
            message: "admin permission required (logged in as importer)"
          })
          // nothing of the refused calls was recorded
          expect(yield* admin.getBuild({ buildInfo: "impref-2-1" })).toBeNull()
          // the SRPM, a tag, then an RPM: the tag records an IMPORT update
          yield* RpmBuild.put("work/imp/b/impref-2-1.src.rpm", built.srpm)
          const src = yield* admin.importRPM({ path: "imp/b", basename: "impref-2-1.src.rpm" })
          const tag = yield* admin.createTag({ name: "imp-tag" })
          yield* admin.packageListAdd({ taginfo: "imp-tag", pkginfo: "impref", owner: "admin" })
          yield* admin.tagBuildBypass({ tag: "imp-tag", build: src.build_id })
          yield* RpmBuild.put(`work/imp/b/${Path.basename(binary)}`, binary)
          yield* admin.importRPM({ path: "imp/b", basename: Path.basename(binary) })
          const updates = yield* sql<{ update_type: number }>`SELECT update_type FROM tag_updates WHERE tag_id = ${tag}`
          expect(updates.map((u) => u.update_type)).toEqual([TagUpdateType.IMPORT])
          // a build that failed takes no packages
          const failed = yield* RpmBuild.build({ name: "impfailed", version: "1", release: "1", dataSubpackage: false })
          yield* RpmBuild.put("work/imp/c/impfailed-1-1.src.rpm", failed.srpm)
          const made = yield* admin.importRPM({ path: "imp/c", basename: "impfailed-1-1.src.rpm" })
          yield* sql`UPDATE build SET state = ${BuildState.FAILED} WHERE id = ${made.build_id}`
          yield* RpmBuild.put(`work/imp/c/${Path.basename(failed.rpms[0]!)}`, failed.rpms[0]!)
          expect(yield* TestHub.failure(admin.importRPM({ path: "imp/c", basename: Path.basename(failed.rpms[0]!) }))).toEqual({
            _tag: "GenericError",
            message: "Build is FAILED: impfailed-1-1"
          })
        }), { timeout: 120_000 })

      it.scoped("build over raw XML-RPC: an option Koji does not know is a ParameterError fault", () =>
        Effect.gen(function*() {
          const admin = yield* xmlrpc()
          const buildTag = yield* admin.createTag({ name: "rawx-build" })
          const destTag = yield* admin.createTag({ name: "rawx-dest" })
          yield* admin.createBuildTarget({ name: "rawx", build_tag: buildTag, dest_tag: destTag })
          const call = (opts: Record<string, unknown>) =>
            Effect.flatMap(Codec.encodeMethodCall("build", ["git://example.com/p#1", "rawx", opts]), (body) => raw(admin, body))
          const bad = yield* call({ scrach: true })
          expect(bad._tag).toBe("Fault")
          expect(bad).toMatchObject({ faultCode: 1019 })
          expect((bad as { faultString: string }).faultString).toContain("scrach")
          const good = yield* call({ scratch: true, arch_override: "x86_64" })
          expect(good._tag).toBe("Params")
          const task = (yield* admin.getTaskInfo({ task_id: (good as { value: number }).value, request: true })) as any
          expect(task.request).toEqual(["git://example.com/p#1", "rawx", { scratch: true, arch_override: "x86_64" }])
        }))
    })
  }
})
