/**
 * The Archives area on both databases and every transport (Koji's XML-RPC too): real RPMs
 * built with rpmbuild and imported through the hub (`importRPM`), then the read calls Koji's
 * CLI makes around a build: archives (rows inserted with SQL, with real zip and tar files in
 * the store, listed as Python's zipfile/tarfile list them), build types and the maven/win/image
 * records, RPM signatures from the import, and changelogs as `rpm -qp` reads them.
 */
import { SqlClient } from "@effect/sql"
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import * as Codec from "../src/xmlrpc/Codec.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as RpmBuild from "./utils/RpmBuild.js"

// a scratch directory removed with the scope
const scratch = Effect.acquireRelease(
  Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-ts-archives-"))),
  (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
)

// what Python's zipfile/tarfile list (Koji's _get_zipfile_list/_get_tarball_list), times as UTC
const pythonList = (kind: "zip" | "tar", file: string): Array<Record<string, unknown>> =>
  JSON.parse(ChildProcess.execFileSync("python3", [
    "-c",
    kind === "zip"
      ? "import json,sys,time,zipfile\nz=zipfile.ZipFile(sys.argv[1])\n" +
        "print(json.dumps([{'name':e.filename,'size':e.file_size,'mtime':int(time.mktime(e.date_time+(0,0,-1)))} for e in z.infolist()]))"
      : "import json,sys,tarfile\nt=tarfile.open(sys.argv[1],'r')\n" +
        "print(json.dumps([{'name':e.name,'size':e.size,'mtime':e.mtime,'mode':e.mode,'user':e.uname,'group':e.gname} for e in t]))",
    file
  ], { encoding: "utf8", env: { ...process.env, TZ: "UTC" } }))

describe("Archives", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.allTransports) {
      layer(TestHub.layer(Database, Transport), { timeout: "180 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          it.scoped("an rpm build: no archives, no typed records, {rpm: null}, the import's signatures", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const { built, buildId } = yield* RpmBuild.imported(admin, "arcdemo")
              expect(yield* anon.listArchives({ buildID: buildId })).toEqual([])
              expect(yield* anon.listArchives({ buildID: buildId, type: "maven" })).toEqual([])
              expect(yield* anon.listArchives({ buildID: buildId, queryOpts: { countOnly: true } })).toBe(0)
              expect(yield* TestHub.failure(anon.listArchives({ buildID: buildId, strict: true }))).toEqual({
                _tag: "GenericError",
                message: "No archives found."
              })
              expect(yield* TestHub.failure(anon.listArchives({ type: "nosuchtype" }))).toEqual({
                _tag: "GenericError",
                message: "unsupported archive type: nosuchtype"
              })
              expect(yield* anon.getMavenBuild({ buildInfo: buildId })).toBeNull()
              expect(yield* anon.getWinBuild({ buildInfo: "arcdemo-1.0-1" })).toBeNull()
              expect(yield* anon.getImageBuild({ buildInfo: { name: "arcdemo", version: "1.0", release: "1" } })).toBeNull()
              expect(yield* anon.getMavenBuild({ buildInfo: "nosuch-1-1" })).toBeNull()
              expect(yield* TestHub.failure(anon.getMavenBuild({ buildInfo: buildId, strict: true }))).toEqual({
                _tag: "GenericError",
                message: `no such maven build: ${buildId}`
              })
              expect(yield* TestHub.failure(anon.getWinBuild({ buildInfo: "nosuch-1-1", strict: true }))).toEqual({
                _tag: "GenericError",
                message: "No such build: 'nosuch-1-1'"
              })
              expect(yield* anon.getBuildType({ buildInfo: buildId })).toEqual({ rpm: null })
              expect(yield* anon.getBuildType({ buildInfo: "nosuch-1-1" })).toBeNull()
              expect(yield* TestHub.failure(anon.getBuildType({ buildInfo: "nosuch-1-1", strict: true }))).toMatchObject({
                _tag: "GenericError"
              })
              // one unsigned signature row per imported rpm (sigkey ''), md5 of the signature header
              const rpms = yield* anon.listRPMs({ buildID: buildId })
              if (typeof rpms === "number") throw new Error("a count")
              expect(rpms.length).toBe(1 + built.rpms.length)
              const sigs = yield* anon.queryRPMSigs({})
              if (typeof sigs === "number") throw new Error("a count")
              expect(sigs.map((s) => s.rpm_id).sort()).toEqual(rpms.map((r) => r.id).sort())
              for (const sig of sigs) {
                expect(sig.sigkey).toBe("")
                expect(sig.sighash).toMatch(/^[0-9a-f]{32}$/)
              }
              const srpm = rpms.find((r) => r.arch === "src")!
              const bySrpm = yield* anon.queryRPMSigs({ rpm_id: srpm.id })
              expect(bySrpm).toEqual([sigs.find((s) => s.rpm_id === srpm.id)])
              expect(yield* anon.queryRPMSigs({ rpm_id: "arcdemo-1.0-1.src" })).toEqual(bySrpm)
              expect(yield* anon.queryRPMSigs({ rpm_id: { name: "arcdemo", version: "1.0", release: "1", arch: "src" } }))
                .toEqual(bySrpm)
              expect(yield* anon.queryRPMSigs({ rpm_id: "nosuch-1-1.src" })).toEqual([])
              expect(yield* anon.queryRPMSigs({ sigkey: "ABCDEF01" })).toEqual([])
              expect(yield* anon.queryRPMSigs({ rpm_id: srpm.id, sigkey: "" })).toEqual(bySrpm)
              expect(yield* anon.queryRPMSigs({ queryOpts: { countOnly: true } })).toBe(sigs.length)
              expect(yield* anon.queryRPMSigs({ queryOpts: { order: "-rpm_id", limit: 1 } })).toEqual([
                sigs.reduce((a, b) => (a.rpm_id > b.rpm_id ? a : b))
              ])
              // the build types
              const btypes = yield* anon.listBTypes({})
              expect(btypes).toEqual([
                { id: 1, name: "rpm" },
                { id: 2, name: "maven" },
                { id: 3, name: "win" },
                { id: 4, name: "image" }
              ])
              expect(yield* anon.listBTypes({ query: { name: "image" } })).toEqual([{ id: 4, name: "image" }])
              expect(yield* anon.listBTypes({ query: { id: 2 } })).toEqual([{ id: 2, name: "maven" }])
              expect(yield* anon.listBTypes({ query: { name: "nosuch" } })).toEqual([])
              expect(yield* anon.listBTypes({ queryOpts: { order: "-name", limit: 2 } })).toEqual([
                { id: 3, name: "win" },
                { id: 1, name: "rpm" }
              ])
            }))

          it.scoped("the changelog of a build's SRPM and of a task's rpm, as rpm -qp reads it, with filters", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const { built, buildId } = yield* RpmBuild.imported(admin, "clogdemo")
              const expected = RpmBuild.query(built.srpm, "[%{CHANGELOGTIME}\\t%{CHANGELOGNAME}\\t%{CHANGELOGTEXT}\\n]")
                .trim().split("\n").map((line) => {
                  const [time, author, text] = line.split("\t")
                  return { date_ts: Number(time), author: author!, text: text! }
                })
              expect(expected.length).toBe(2)
              const entries = yield* anon.getChangelogEntries({ buildID: buildId })
              if (typeof entries === "number") throw new Error("a count")
              expect(entries.map(({ author, date_ts, text }) => ({ date_ts, author, text }))).toEqual(expected)
              expect(entries[0]).toEqual({
                date: "2024-01-02 12:00:00",
                date_ts: 1704196800,
                author: "Second Person <second@example.com> - 1.0-2",
                text: "- second entry"
              })
              expect(yield* anon.getChangelogEntries({ buildID: "clogdemo-1.0-1" })).toEqual(entries)
              // filters: author, before, after (strings as UTC, or seconds), order, countOnly
              expect(yield* anon.getChangelogEntries({ buildID: buildId, author: "First Person <first@example.com> - 1.0-1" }))
                .toEqual([entries[1]])
              expect(yield* anon.getChangelogEntries({ buildID: buildId, after: "2024-01-01 12:00:00" })).toEqual([entries[0]])
              expect(yield* anon.getChangelogEntries({ buildID: buildId, before: "2024-01-02" })).toEqual([entries[1]])
              expect(yield* anon.getChangelogEntries({ buildID: buildId, before: 1704196800, after: 1704110399 }))
                .toEqual([entries[1]])
              expect(yield* anon.getChangelogEntries({ buildID: buildId, queryOpts: { order: "date" } }))
                .toEqual([entries[1], entries[0]])
              expect(yield* anon.getChangelogEntries({ buildID: buildId, queryOpts: { countOnly: true } })).toBe(2)
              expect(yield* TestHub.failure(anon.getChangelogEntries({ buildID: buildId, queryOpts: { order: "nosuch" } })))
                .toMatchObject({ _tag: "ParameterError" })
              // an rpm in a task's work directory
              const rpm = built.rpms[0]!
              yield* RpmBuild.put(`work/tasks/4321/54321/out/${Path.basename(rpm)}`, rpm)
              expect(yield* anon.getChangelogEntries({ taskID: 54321, filepath: `out/${Path.basename(rpm)}` }))
                .toEqual(entries)
              expect(yield* anon.getChangelogEntries({ taskID: 54321, filepath: "out/missing.rpm" })).toEqual([])
              // Koji's refusals
              expect(yield* TestHub.failure(anon.getChangelogEntries({ taskID: 54321 }))).toEqual({
                _tag: "GenericError",
                message: "filepath must be specified with taskID"
              })
              expect(yield* TestHub.failure(anon.getChangelogEntries({ taskID: 54321, filepath: "../x.rpm" }))).toEqual({
                _tag: "GenericError",
                message: "Invalid filepath: ../x.rpm"
              })
              expect(yield* TestHub.failure(anon.getChangelogEntries({}))).toEqual({
                _tag: "GenericError",
                message: "either buildID or taskID and filepath must be specified"
              })
              expect(yield* anon.getChangelogEntries({ buildID: "nosuch-1-1" })).toEqual([])
              expect(yield* TestHub.failure(anon.getChangelogEntries({ buildID: "nosuch-1-1", strict: true }))).toEqual({
                _tag: "GenericError",
                message: "No such build: nosuch-1-1"
              })
              const empty = yield* admin.createEmptyBuild({ name: "clogempty", version: "1", release: "1", epoch: null })
              expect(yield* anon.getChangelogEntries({ buildID: empty })).toEqual([])
              expect(yield* TestHub.failure(anon.getChangelogEntries({ buildID: empty, strict: true }))).toEqual({
                _tag: "GenericError",
                message: `Build ${empty} doesn't have srpms`
              })
            }))

          it.scoped("typed builds and archives: records, every listArchives filter, getArchive, listArchiveFiles", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const sql = yield* SqlClient.SqlClient
              const dir = yield* scratch
              const id = yield* admin.createEmptyBuild({ name: "mvndemo", version: "1.0", release: "1", epoch: null })
              const typeId = (name: string) =>
                Effect.map(sql<{ id: number }>`SELECT id FROM archivetypes WHERE name = ${name}`, (rows) => rows[0]!.id)
              const jar = yield* typeId("jar")
              const pom = yield* typeId("pom")
              const tar = yield* typeId("tar")
              yield* sql`INSERT INTO maven_builds (build_id, group_id, artifact_id, version)
                VALUES (${id}, 'org.example', 'demo', '1.0')`
              yield* sql`INSERT INTO win_builds (build_id, platform) VALUES (${id}, 'w10')`
              yield* sql`INSERT INTO image_builds (build_id) VALUES (${id})`
              yield* sql`INSERT INTO build_types (build_id, btype_id) VALUES (${id}, 2), (${id}, 3), (${id}, 4)`
              const [rs] = yield* sql<{ id: number }>`INSERT INTO btype (name) VALUES ('remote-sources') RETURNING id`
              const [br] = yield* sql<{ id: number }>`INSERT INTO buildroot (br_type) VALUES (1) RETURNING id`
              const insert = (type: number, btype: number, filename: string, size: number, checksum: string) =>
                Effect.map(
                  sql<{ id: number }>`INSERT INTO archiveinfo (type_id, btype_id, build_id, buildroot_id, filename, size,
                      checksum, checksum_type, extra)
                    VALUES (${type}, ${btype}, ${id}, ${btype === 2 ? br!.id : null}, ${filename}, ${size}, ${checksum}, 2,
                      ${btype === 2 ? "{\"k\": 1}" : null}) RETURNING id`,
                  (rows) => rows[0]!.id
                )
              // real files: a jar (zip) and a tar.gz, in Koji's places for their build types
              const src = Path.join(dir, "src")
              Fs.mkdirSync(Path.join(src, "sub"), { recursive: true })
              Fs.writeFileSync(Path.join(src, "a.txt"), "hello\n")
              Fs.writeFileSync(Path.join(src, "sub", "b.txt"), "world, more bytes\n")
              const jarFile = Path.join(dir, "demo-1.0.jar")
              const tarFile = Path.join(dir, "disk.tar.gz")
              ChildProcess.execFileSync("zip", ["-qr", jarFile, "a.txt", "sub"], { cwd: src })
              ChildProcess.execFileSync("tar", ["czf", tarFile, "a.txt", "sub"], { cwd: src })
              const jarId = yield* insert(jar, 2, "demo-1.0.jar", Fs.statSync(jarFile).size, "c1")
              const pomId = yield* insert(pom, 2, "demo-1.0.pom", 10, "c2")
              const winId = yield* insert(pom, 3, "setup.pom", 20, "c3")
              const tarId = yield* insert(tar, 4, "disk.tar.gz", Fs.statSync(tarFile).size, "c4")
              const rsId = yield* insert(tar, rs!.id, "sources.tar", 40, "c5")
              yield* sql`INSERT INTO maven_archives (archive_id, group_id, artifact_id, version)
                VALUES (${jarId}, 'org.example', 'demo', '1.0'), (${pomId}, 'org.example', 'demo', '1.0')`
              yield* sql`INSERT INTO win_archives (archive_id, relpath, platforms, flags)
                VALUES (${winId}, 'bin', 'w10 w11', 'fre')`
              yield* sql`INSERT INTO image_archives (archive_id, arch) VALUES (${tarId}, 'x86_64')`
              yield* sql`INSERT INTO buildroot_archives (buildroot_id, archive_id, project_dep) VALUES (${br!.id}, ${tarId}, TRUE)`
              yield* sql`INSERT INTO archive_components (archive_id, component_id) VALUES (${tarId}, ${pomId})`
              yield* RpmBuild.put(`packages/mvndemo/1.0/1/maven/org/example/demo/1.0/demo-1.0.jar`, jarFile)
              yield* RpmBuild.put(`packages/mvndemo/1.0/1/images/disk.tar.gz`, tarFile)

              // the typed records and getBuildType
              expect(yield* anon.getMavenBuild({ buildInfo: "mvndemo-1.0-1" })).toEqual({
                build_id: id,
                group_id: "org.example",
                artifact_id: "demo",
                version: "1.0"
              })
              expect(yield* anon.getWinBuild({ buildInfo: id })).toEqual({ build_id: id, platform: "w10" })
              expect(yield* anon.getImageBuild({ buildInfo: id, strict: true })).toEqual({ build_id: id })
              expect(yield* anon.getBuildType({ buildInfo: id })).toEqual({
                maven: { build_id: id, group_id: "org.example", artifact_id: "demo", version: "1.0" },
                win: { build_id: id, platform: "w10" },
                image: { build_id: id }
              })

              // listArchives: every filter
              const ids = (list: ReadonlyArray<{ readonly id: number }> | number) =>
                typeof list === "number" ? list : list.map((a) => a.id)
              const all = yield* anon.listArchives({ buildID: id })
              expect(ids(all)).toEqual([jarId, pomId, winId, tarId, rsId])
              expect((all as ReadonlyArray<any>)[0]).toEqual({
                id: jarId,
                type_id: jar,
                btype_id: 2,
                btype: "maven",
                build_id: id,
                buildroot_id: br!.id,
                filename: "demo-1.0.jar",
                size: Fs.statSync(jarFile).size,
                checksum: "c1",
                checksum_type: 2,
                metadata_only: false,
                extra: { k: 1 },
                type_name: "jar",
                type_description: "Jar file",
                type_extensions: "jar war rar ear sar jdocbook jdocbook-style",
                compression_type: "zip"
              })
              expect(ids(yield* anon.listArchives({ buildrootID: br!.id }))).toEqual([jarId, pomId])
              const component = yield* anon.listArchives({ componentBuildrootID: br!.id })
              expect(component).toMatchObject([{ id: tarId, component_buildroot_id: br!.id, project: true }])
              expect(ids(yield* anon.listArchives({ imageID: tarId }))).toEqual([pomId])
              expect(ids(yield* anon.listArchives({ hostID: 1 }))).toEqual([])
              expect(ids(yield* anon.listArchives({ filename: "setup.pom" }))).toEqual([winId])
              expect(ids(yield* anon.listArchives({ size: 20 }))).toEqual([winId])
              expect(ids(yield* anon.listArchives({ checksum: "c4", checksum_type: 2 }))).toEqual([tarId])
              expect(ids(yield* anon.listArchives({ checksum: "c4", checksum_type: 0 }))).toEqual([])
              expect(ids(yield* anon.listArchives({ archiveID: rsId }))).toEqual([rsId])
              const maven = yield* anon.listArchives({ type: "maven", typeInfo: { artifact_id: "demo" } })
              expect(maven).toMatchObject([
                { id: jarId, group_id: "org.example", artifact_id: "demo", version: "1.0" },
                { id: pomId, group_id: "org.example", artifact_id: "demo", version: "1.0" }
              ])
              expect(ids(yield* anon.listArchives({ type: "maven", typeInfo: { group_id: "org.other" } }))).toEqual([])
              expect(yield* anon.listArchives({ type: "win", typeInfo: { platforms: ["w11"], flags: "fre" } }))
                .toMatchObject([{ id: winId, relpath: "bin", platforms: "w10 w11", flags: "fre" }])
              expect(ids(yield* anon.listArchives({ type: "win", typeInfo: { platforms: "w1" } }))).toEqual([])
              expect(yield* anon.listArchives({ type: "image", typeInfo: { arch: "x86_64" } }))
                .toMatchObject([{ id: tarId, arch: "x86_64" }])
              expect(ids(yield* anon.listArchives({ type: "remote-sources" }))).toEqual([rsId])
              expect(yield* TestHub.failure(anon.listArchives({ type: "remote-sources", typeInfo: { a: 1 } }))).toEqual({
                _tag: "GenericError",
                message: "typeInfo queries not supported for type remote-sources"
              })
              const bySize = [...(all as ReadonlyArray<{ id: number; size: number }>)].sort((a, b) => b.size - a.size)
              expect(ids(yield* anon.listArchives({ buildID: id, queryOpts: { order: "-size", limit: 2 } })))
                .toEqual(bySize.slice(0, 2).map((a) => a.id))
              expect(yield* anon.listArchives({ buildID: id, queryOpts: { countOnly: true } })).toBe(5)
              expect(yield* TestHub.failure(anon.listArchives({ queryOpts: { order: "nosuch" } }))).toMatchObject({
                _tag: "ParameterError"
              })

              // getArchive merges the type's fields in
              expect(yield* anon.getArchive({ archive_id: jarId })).toMatchObject({
                id: jarId,
                group_id: "org.example",
                artifact_id: "demo",
                version: "1.0"
              })
              expect(yield* anon.getArchive({ archive_id: winId })).toMatchObject({ relpath: "bin", platforms: "w10 w11", flags: "fre" })
              expect(yield* anon.getArchive({ archive_id: tarId })).toMatchObject({ arch: "x86_64", rootid: false })
              expect(yield* anon.getArchive({ archive_id: 999999 })).toBeNull()
              expect(yield* TestHub.failure(anon.getArchive({ archive_id: 999999, strict: true }))).toEqual({
                _tag: "GenericError",
                message: "No such archive: 999999"
              })

              // listArchiveFiles: what Python's zipfile and tarfile list
              const jarFiles = yield* anon.listArchiveFiles({ archive_id: jarId })
              expect(jarFiles).toEqual(pythonList("zip", jarFile).map((f) => ({ archive_id: jarId, ...f })))
              expect((jarFiles as ReadonlyArray<any>).map((f) => f.name)).toContain("sub/b.txt")
              const tarFiles = yield* anon.listArchiveFiles({ archive_id: tarId })
              expect(tarFiles).toEqual(pythonList("tar", tarFile).map((f) => ({ archive_id: tarId, ...f })))
              expect(yield* anon.listArchiveFiles({ archive_id: tarId, queryOpts: { order: "-size", limit: 1 } }))
                .toMatchObject([{ name: "sub/b.txt", size: 18 }])
              expect(yield* anon.listArchiveFiles({ archive_id: tarId, queryOpts: { countOnly: true } }))
                .toBe(pythonList("tar", tarFile).length)
              // not a zip or tar: nothing, or Koji's error when strict; a missing file: nothing
              expect(yield* anon.listArchiveFiles({ archive_id: pomId })).toEqual([])
              expect(yield* TestHub.failure(anon.listArchiveFiles({ archive_id: pomId, strict: true }))).toEqual({
                _tag: "GenericError",
                message: "Unsupported archive type: pom"
              })
              expect(yield* anon.listArchiveFiles({ archive_id: rsId })).toEqual([])
              expect(yield* TestHub.failure(anon.listArchiveFiles({ archive_id: 999999 }))).toEqual({
                _tag: "GenericError",
                message: "No such archive: 999999"
              })
            }))
        }
      )
    }
  }
})

describe("Archives over raw XML-RPC", () => {
  const [db, Database] = TestDatabases.migrated[0]!
  layer(TestHub.layer(Database, TestHub.allTransports[2][1]), { timeout: "180 seconds", excludeTestServices: true })(
    db,
    (it) => {
      it.scoped("what Koji's CLI reads: nil for no maven build, {rpm: nil}, a count as an int", () =>
        Effect.gen(function*() {
          const admin = yield* TestHub.admin
          const { buildId } = yield* RpmBuild.imported(admin, "wiredemo")
          const { url } = yield* TestHub.Clients
          const call = (method: string, params: string) =>
            Effect.promise(() =>
              fetch(`${url}/kojihub`, {
                method: "POST",
                headers: { "Content-Type": "text/xml" },
                body: `<?xml version='1.0'?><methodCall><methodName>${method}</methodName><params>${params}</params></methodCall>`
              }).then((r) => r.text())
            )
          const int = `<param><value><int>${buildId}</int></value></param>`
          expect(yield* call("getMavenBuild", int)).toContain("<nil/>")
          const types = yield* call("getBuildType", int)
          expect(types).toMatch(/<member>\s*<name>rpm<\/name>\s*<value><nil\/><\/value>\s*<\/member>/)
          const count = yield* Codec.parseMethodResponse(
            yield* call(
              "listArchives",
              `<param><value><struct><member><name>buildID</name><value><int>${buildId}</int></value></member>` +
                `<member><name>queryOpts</name><value><struct><member><name>countOnly</name>` +
                `<value><boolean>1</boolean></value></member></struct></value></member>` +
                `<member><name>__starstar</name><value><boolean>1</boolean></value></member></struct></value></param>`
            )
          )
          expect(count).toEqual({ _tag: "Params", value: 0 })
          const kw = `<param><value><struct><member><name>buildID</name><value><int>${buildId}</int></value></member>` +
            `<member><name>__starstar</name><value><boolean>1</boolean></value></member></struct></value></param>`
          const clog = yield* Codec.parseMethodResponse(yield* call("getChangelogEntries", kw))
          expect(clog).toMatchObject({
            _tag: "Params",
            value: [
              { date: "2024-01-02 12:00:00", date_ts: 1704196800, author: "Second Person <second@example.com> - 1.0-2" },
              { date: "2024-01-01 12:00:00", date_ts: 1704110400 }
            ]
          })
          expect(yield* call("queryRPMSigs", `<param><value><string>wiredemo-1.0-1.src</string></value></param>`))
            .toContain("<name>sigkey</name>")
        }))
    }
  )
})
