/**
 * `getRPMHeaders`, `listRPMFiles` and `getRPMFile` on real packages (built with rpmbuild,
 * imported as `koji import` does), on both databases and over every transport: values
 * compared with what `rpm -qp` reads from the same files (and, where rpm's Python bindings
 * are installed, with what Koji's `get_header_fields` answers through them), a file of a
 * task's output, and Koji's answers for what is missing, with and without `strict`.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import * as ChildProcess from "node:child_process"
import * as Path from "node:path"
import * as FileStore from "../src/storage/FileStore.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as RpmBuild from "./utils/RpmBuild.js"

const hex = (bytes: unknown) => Buffer.from(bytes as Uint8Array).toString("hex")

// `rpm -qp --dump`: path size mtime digest mode(octal) owner group isconfig isdoc rdev symlink
const dump = (file: string) =>
  ChildProcess.execFileSync("rpm", ["-qp", "--nosignature", "--nodigest", "--dump", file], { encoding: "utf8" })
    .trim().split("\n").filter((line) => line !== "").map((line) => {
      const [name, size, mtime, digest, mode, user, group] = line.split(" ")
      return { name, size: Number(size), mtime: Number(mtime), digest, mode: parseInt(mode!, 8), user, group }
    })

const lines = (file: string, format: string) => RpmBuild.query(file, format).split("\n").filter((x) => x !== "")

// Koji's own get_header_fields through rpm's Python bindings (bytes as {"bytes": hex}), when installed
const python = ["python3", "/usr/bin/python3"].find((candidate) => {
  try {
    ChildProcess.execFileSync(candidate, ["-c", "import rpm"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
})

const kojiHeaderFields = (file: string): Record<string, unknown> =>
  JSON.parse(ChildProcess.execFileSync(python!, [
    "-c",
    [
      "import json, rpm, sys",
      "ts = rpm.TransactionSet()",
      "ts.setVSFlags(rpm._RPMVSF_NOSIGNATURES | rpm._RPMVSF_NODIGESTS)",
      "f = open(sys.argv[1], 'rb')",
      "h = ts.hdrFromFdno(f.fileno())",
      "conv = lambda v: {'bytes': v.hex()} if isinstance(v, bytes) else [conv(x) for x in v] if isinstance(v, list) else v",
      "print(json.dumps({rpm.tagnames[k]: conv(h[k]) for k in h.keys()}))"
    ].join("\n"),
    file
  ], { encoding: "utf8" }))

const comparable = (value: unknown): unknown =>
  value instanceof Uint8Array ? { bytes: hex(value) } : Array.isArray(value) ? value.map(comparable) : value

describe("RpmFiles", () => {
  for (const [db, Database] of TestDatabases.migrated) {
    for (const [transport, Transport] of TestHub.allTransports) {
      layer(TestHub.layer(Database, Transport), { timeout: "180 seconds", excludeTestServices: true })(
        `${db} ${transport}`,
        (it) => {
          it.scoped("getRPMHeaders: rpm's values for each package of a build", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const { built, ids } = yield* RpmBuild.imported(admin, "hdrdemo", 3)
              for (const file of [built.srpm, ...built.rpms]) {
                const id = ids.get(file)!
                const headers = yield* anon.getRPMHeaders({
                  rpmID: id,
                  headers: [
                    "license",
                    "Summary",
                    "DESCRIPTION",
                    "requires",
                    "requireversion",
                    "provides",
                    "changelogtime",
                    "changelogname",
                    "epoch",
                    "size",
                    "filesizes",
                    "filenames",
                    "nevra",
                    "evr",
                    "sigmd5",
                    "nosource",
                    "url",
                    "conflicts",
                    "buildtime"
                  ]
                })
                // the names as asked, in that order
                expect(Object.keys(headers)[0]).toBe("license")
                expect(headers["license"]).toBe(RpmBuild.query(file, "%{LICENSE}"))
                expect(headers["Summary"]).toBe(RpmBuild.query(file, "%{SUMMARY}"))
                expect(headers["DESCRIPTION"]).toBe(RpmBuild.query(file, "%{DESCRIPTION}"))
                expect(headers["requires"]).toEqual(lines(file, "[%{REQUIRES}\n]"))
                expect(headers["requireversion"]).toEqual(RpmBuild.query(file, "[%{REQUIREVERSION}\n]").split("\n").slice(0, -1))
                expect(headers["provides"]).toEqual(lines(file, "[%{PROVIDES}\n]"))
                expect(headers["changelogtime"]).toEqual(lines(file, "[%{CHANGELOGTIME}\n]").map(Number))
                expect(headers["changelogname"]).toEqual(lines(file, "[%{CHANGELOGNAME}\n]"))
                expect(headers["epoch"]).toBe(3)
                expect(headers["size"]).toBe(Number(RpmBuild.query(file, "%{SIZE}")))
                expect(headers["filesizes"]).toEqual(lines(file, "[%{FILESIZES}\n]").map(Number))
                expect(headers["filenames"]).toEqual(lines(file, "[%{FILENAMES}\n]"))
                expect(headers["nevra"]).toBe(RpmBuild.query(file, "%{NEVRA}"))
                expect(headers["evr"]).toBe(RpmBuild.query(file, "%{EVR}"))
                expect(headers["buildtime"]).toBe(Number(RpmBuild.query(file, "%{BUILDTIME}")))
                // binary: bytes (a <base64> value over XML-RPC), as rpm's bindings answer
                expect(headers["sigmd5"]).toBeInstanceOf(Uint8Array)
                expect(hex(headers["sigmd5"])).toBe(RpmBuild.query(file, "%{SIGMD5}"))
                // Koji's special case: nosource is always a list; absent tags: None or []
                expect(headers["nosource"]).toEqual([])
                expect(headers["url"]).toBeNull()
                expect(headers["conflicts"]).toEqual([])
              }
              // an unknown name fails, strict or not
              expect(yield* TestHub.failure(anon.getRPMHeaders({ rpmID: ids.get(built.srpm)!, headers: ["license", "nosuch"] })))
                .toEqual({ _tag: "GenericError", message: "No such rpm header field: NOSUCH" })
            }))

          it.scoped.skipIf(python === undefined)("getRPMHeaders without names: every tag, as Koji answers through rpm's bindings", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const { built, ids } = yield* RpmBuild.imported(admin, "alldemo", 3)
              for (const file of [built.srpm, built.rpms[0]!]) {
                const ours = yield* anon.getRPMHeaders({ rpmID: ids.get(file)! })
                const koji = kojiHeaderFields(file)
                expect(Object.keys(ours)).toEqual(Object.keys(koji))
                expect(Object.fromEntries(Object.entries(ours).map(([k, v]) => [k, comparable(v)]))).toEqual(koji)
              }
            }))

          it.scoped("getRPMHeaders: a task's output file; Koji's answers for what is missing", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const { built, ids } = yield* RpmBuild.imported(admin, "taskdemo", 3)
              const rpm = built.rpms[0]!
              yield* RpmBuild.put(`work/tasks/4321/54321/out/${Path.basename(rpm)}`, rpm)
              expect(yield* anon.getRPMHeaders({
                taskID: 54321,
                filepath: `out/${Path.basename(rpm)}`,
                headers: ["name", "LICENSE", "arch"]
              })).toEqual({ name: RpmBuild.query(rpm, "%{NAME}"), LICENSE: "MIT", arch: RpmBuild.query(rpm, "%{ARCH}") })
              expect(yield* anon.getRPMHeaders({ taskID: 54321, filepath: "out/missing.rpm" })).toEqual({})
              expect(yield* TestHub.failure(anon.getRPMHeaders({ taskID: 54321, filepath: "out/missing.rpm", strict: true })))
                .toEqual({ _tag: "GenericError", message: "Missing rpm file: work/tasks/4321/54321/out/missing.rpm" })
              expect(yield* TestHub.failure(anon.getRPMHeaders({ taskID: 54321 }))).toEqual({
                _tag: "GenericError",
                message: "filepath must be specified with taskID"
              })
              expect(yield* TestHub.failure(anon.getRPMHeaders({ taskID: 54321, filepath: "/etc/passwd" }))).toEqual({
                _tag: "GenericError",
                message: "Invalid filepath: /etc/passwd"
              })
              expect(yield* TestHub.failure(anon.getRPMHeaders({ headers: ["name"] }))).toEqual({
                _tag: "GenericError",
                message: "either rpmID or taskID and filepath must be specified"
              })
              // an unknown rpm: {} or Koji's error when strict
              expect(yield* anon.getRPMHeaders({ rpmID: 999999, headers: ["name"] })).toEqual({})
              expect(yield* TestHub.failure(anon.getRPMHeaders({ rpmID: 999999, strict: true }))).toEqual({
                _tag: "GenericError",
                message: "No such rpm: {'id': 999999}"
              })
              // a file not in the store: {} or the path when strict
              const store = yield* FileStore.FileStore
              const nvra = Path.basename(rpm, ".rpm")
              const arch = nvra.slice(nvra.lastIndexOf(".") + 1)
              const stored = `packages/taskdemo/1.0/1/${arch}/${nvra}.rpm`
              yield* store.remove(stored)
              expect(yield* anon.getRPMHeaders({ rpmID: ids.get(rpm)!, headers: ["name"] })).toEqual({})
              expect(yield* TestHub.failure(anon.getRPMHeaders({ rpmID: ids.get(rpm)!, strict: true }))).toEqual({
                _tag: "GenericError",
                message: `Missing rpm file: ${stored}`
              })
              expect(yield* anon.listRPMFiles({ rpmID: ids.get(rpm)! })).toEqual([])
              expect(yield* anon.getRPMFile({ rpmID: ids.get(rpm)!, filename: "/usr/lib/taskdemo/blob" })).toEqual({})
              expect(yield* TestHub.failure(anon.getRPMFile({ rpmID: ids.get(rpm)!, filename: "x", strict: true }))).toEqual({
                _tag: "GenericError",
                message: `RPM package file of ${ids.get(rpm)} doesn't exist`
              })
            }))

          it.scoped("listRPMFiles and getRPMFile: rpm -qp --dump's files", () =>
            Effect.gen(function*() {
              const admin = yield* TestHub.admin
              const anon = yield* TestHub.client
              const { built, ids } = yield* RpmBuild.imported(admin, "filedemo", 3)
              for (const file of [built.srpm, ...built.rpms]) {
                const id = ids.get(file)!
                const files = yield* anon.listRPMFiles({ rpmID: id })
                const expected = dump(file)
                const flags = lines(file, "[%{FILEFLAGS}\n]").map(Number)
                expect(Array.isArray(files) && files.length).toBe(expected.length)
                if (!Array.isArray(files)) continue
                files.forEach((f, i) => {
                  const e = expected[i]!
                  const digest = /^0+$/.test(e.digest!) ? "" : e.digest
                  expect(f).toEqual({
                    name: e.name,
                    digest,
                    digest_algo: "sha256",
                    md5: digest,
                    size: e.size,
                    flags: flags[i],
                    user: e.user,
                    group: e.group,
                    mtime: e.mtime,
                    mode: e.mode
                  })
                  // Koji's field order
                  expect(Object.keys(f)).toEqual(["name", "digest", "digest_algo", "md5", "size", "flags", "user", "group", "mtime", "mode"])
                })
                // one file by name, Koji's fields with rpm_id first
                const one = yield* anon.getRPMFile({ rpmID: id, filename: files[0]!.name })
                expect(one).toEqual({ rpm_id: id, ...files[0] })
                expect(Object.keys(one)[0]).toBe("rpm_id")
              }
              const main = ids.get(built.rpms.find((f) => !f.includes("-data-"))!)!
              // queryOpts
              expect(yield* anon.listRPMFiles({ rpmID: main, queryOpts: { countOnly: true } })).toBe(1)
              const srpm = ids.get(built.srpm)!
              const bySize = yield* anon.listRPMFiles({ rpmID: srpm, queryOpts: { order: "-size", limit: 1 } })
              const all = (yield* anon.listRPMFiles({ rpmID: srpm })) as ReadonlyArray<{ size: number }>
              expect(bySize).toEqual([[...all].sort((a, b) => b.size - a.size)[0]])
              expect(yield* TestHub.failure(anon.listRPMFiles({ rpmID: srpm, queryOpts: { order: "nosuch" } })))
                .toMatchObject({ _tag: "ParameterError" })
              // by N-V-R.A too
              const nvra = Path.basename(built.srpm, ".rpm")
              expect(yield* anon.listRPMFiles({ rpmID: nvra })).toEqual(all)
              // missing file / rpm: {} and [], Koji's errors when strict
              expect(yield* anon.getRPMFile({ rpmID: main, filename: "/no/such" })).toEqual({})
              expect(yield* TestHub.failure(anon.getRPMFile({ rpmID: main, filename: "/no/such", strict: true }))).toEqual({
                _tag: "GenericError",
                message: `No file: /no/such found in RPM: ${main}`
              })
              expect(yield* anon.getRPMFile({ rpmID: 999999, filename: "/x" })).toEqual({})
              expect(yield* TestHub.failure(anon.getRPMFile({ rpmID: 999999, filename: "/x", strict: true }))).toEqual({
                _tag: "GenericError",
                message: "No such rpm: {'id': 999999}"
              })
              expect(yield* anon.listRPMFiles({ rpmID: 999999 })).toEqual([])
              expect(yield* anon.listRPMFiles({ rpmID: 999999, queryOpts: { countOnly: true } })).toBe(0)
            }))
        }
      )
    }
  }
})
