/**
 * Uploads (Koji's fast `rawUpload` and legacy `uploadFile`), `checkUpload`, task output
 * (`listTaskOutput`, `downloadTaskOutput`, the `task.output` event) and `/kojifiles/`, on both
 * databases and every transport; Koji's CLI traffic replayed over real HTTP.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { Chunk, Effect, Either, Fiber, Layer, Stream } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Http from "node:http"
import * as Os from "node:os"
import * as Path from "node:path"
import * as KojiClient from "../src/client/KojiClient.js"
import * as Errors from "../src/domain/Errors.js"
import * as TaskRequest from "../src/hub/TaskRequest.js"
import * as Checksum from "../src/storage/Checksum.js"
import * as FileStore from "../src/storage/FileStore.js"
import * as Paths from "../src/storage/Paths.js"
import * as Codec from "../src/xmlrpc/Codec.js"
import * as Value from "../src/xmlrpc/Value.js"
import * as Builders from "./utils/Builders.js"
import * as TestDatabases from "./utils/Databases.js"
import * as TestHub from "./utils/Hub.js"
import * as Samples from "./utils/Samples.js"

const MiB = 1024 * 1024

// deterministic bytes that differ from position to position
const pattern = (size: number, seed = 1) => {
  const out = new Uint8Array(size)
  let x = seed >>> 0 || 1
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0
const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("hex")
const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex")

/** The Koji error class an effect failed with (or "ok"). */
const faultOf = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.map(Effect.either(effect), (e) =>
    Either.isRight(e) ? { tag: "ok", message: "" } : {
      tag: (e.left as { _tag?: string })._tag ?? "unknown",
      message: (e.left as { message?: string }).message ?? String(e.left)
    })

const tempDir = (prefix: string) =>
  Effect.acquireRelease(
    Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), prefix))),
    (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
  )

// a host with one OPEN task of its own
const openTask = (hostName: string) =>
  Effect.gen(function*() {
    const admin = yield* TestHub.admin
    const channel = `${hostName}-ch`
    yield* admin.addChannel({ channel_name: channel })
    const { client: host, id: hostId } = yield* Builders.builder(hostName, { ready: false, channels: [channel] })
    const taskId = yield* admin.makeTask({ method: "sleep", arglist: [0], channel })
    yield* admin.assignTask({ task_id: taskId, host: hostName, override: true })
    yield* host.host.openTask({ task_id: taskId })
    return { host, hostId, taskId, channel }
  })

for (const [db, Database] of TestDatabases.migrated) {
  for (const [transport, Transport] of TestHub.allTransports) {
    // the XML-RPC hubs keep their files on disk, the others in memory
    const store = transport === "xmlrpc"
      ? Layer.unwrapScoped(Effect.map(tempDir("koji-uploads-"), (dir) => FileStore.layerLocal(Path.join(dir, "topdir"))))
      : FileStore.layerMemory
    layer(TestHub.layer(Database, Transport, {}, store), { timeout: "180 seconds", excludeTestServices: true })(
      `Uploads ${db} ${transport}`,
      (it) => {
        it.scoped("a 20 MiB file in 1 MiB chunks, each checked, then confirmed", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const files = yield* FileStore.FileStore
            const data = pattern(20 * MiB)
            const path = `cli-build/1719938955.123456.Big${transport}`
            const progress: Array<number> = []
            const result = yield* admin.upload({
              path,
              name: "big.bin",
              data,
              chunkSize: MiB,
              onProgress: (sent, total) =>
                Effect.sync(() => {
                  expect(total).toBe(20 * MiB)
                  progress.push(sent)
                })
            })
            expect(result).toEqual({ size: 20 * MiB, hexdigest: Checksum.digest("adler32", data) })
            expect(progress).toEqual(Array.from({ length: 20 }, (_, i) => (i + 1) * MiB))
            expect(same(yield* files.read(`work/${path}/big.bin`), data)).toBe(true)
            const check = yield* admin.checkUpload({ path, name: "big.bin", verify: "sha256" })
            expect(check).toMatchObject({ size: 20 * MiB, sumlength: 20 * MiB, hexdigest: sha256(data) })
            expect(check!.mtime).toBeGreaterThan(Date.now() / 1000 - 600)
            // the directory is the uploader's
            expect(text(yield* files.read(`work/${path}/.user`))).toMatch(/^\d+$/)

            // the same name again: refused unless replacing
            const again = yield* faultOf(admin.upload({ path, name: "big.bin", data: bytes("small") }))
            expect(again).toMatchObject({ tag: "GenericError", message: expect.stringContaining("upload path exists") })
            expect(yield* admin.upload({ path, name: "big.bin", data: bytes("small"), overwrite: true })).toEqual({
              size: 5,
              hexdigest: Checksum.digest("adler32", bytes("small"))
            })
            expect(text(yield* files.read(`work/${path}/big.bin`))).toBe("small")

            // from a stream of odd-sized pieces, and from a local file
            const streamed = pattern(3 * MiB + 12_345, 7)
            const pieces = Array.from({ length: Math.ceil(streamed.length / 300_001) }, (_, i) =>
              streamed.subarray(i * 300_001, (i + 1) * 300_001))
            expect((yield* admin.upload({ path, name: "streamed.bin", data: Stream.fromIterable(pieces) })).size).toBe(
              streamed.length
            )
            expect(same(yield* files.read(`work/${path}/streamed.bin`), streamed)).toBe(true)
            const dir = yield* tempDir("koji-upload-src-")
            Fs.writeFileSync(Path.join(dir, "local.rpm"), streamed)
            const fromFile = yield* admin.upload({ path, name: "local.rpm", file: Path.join(dir, "local.rpm") })
            expect(fromFile).toEqual({ size: streamed.length, hexdigest: Checksum.digest("adler32", streamed) })
            // an empty file is a file too
            expect(yield* admin.upload({ path, name: "empty", data: new Uint8Array(0) })).toEqual({
              size: 0,
              hexdigest: "00000001"
            })
            // resuming at an offset replaces what followed and keeps what came before
            yield* admin.upload({ path, name: "resumed.bin", data: streamed.subarray(0, 2 * MiB) })
            const resumed = yield* admin.upload({
              path,
              name: "resumed.bin",
              data: streamed.subarray(MiB),
              offset: MiB
            })
            expect(resumed).toEqual({ size: streamed.length, hexdigest: Checksum.digest("adler32", streamed.subarray(MiB)) })
            expect(same(yield* files.read(`work/${path}/resumed.bin`), streamed)).toBe(true)
          }))

        it.scoped("refuses escapes, bad names, anonymous callers and another user's directory", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const files = yield* FileStore.FileStore
            const up = (path: string, name: string, client = admin) =>
              faultOf(client.upload({ path, name, data: bytes("x") }))
            for (const path of ["../../etc", "a/../../x", "..", "/etc", "..hidden/x", ""]) {
              expect(yield* up(path, "f")).toEqual({ tag: "GenericError", message: `Invalid upload directory: ${path}` })
            }
            for (const name of [".hidden", "a/b", "", ".user"]) {
              expect(yield* up("fine", name)).toEqual({ tag: "GenericError", message: `Invalid upload filename: ${name}` })
            }
            // task directories only by shape, and only for hosts
            expect((yield* up("tasks/1", "f")).message).toContain("Invalid upload directory")
            expect((yield* up("tasks/7/8", "f")).message).toContain("Invalid upload directory")
            expect((yield* up(Paths.taskUpload(8), "f")).tag).toBe("AuthError")
            expect((yield* files.walk("")).filter((p) => !p.startsWith("work/cli-build/"))).toEqual([])

            // the first uploader owns the directory
            const path = `cli-build/shared-${transport}`
            yield* admin.upload({ path, name: "a", data: bytes("mine") })
            yield* admin.createUser({ username: `other-${transport}`, password: "pw" })
            yield* TestHub.setPassword(`other-${transport}`, "pw")
            const other = yield* TestHub.loggedIn(`other-${transport}`, "pw")
            expect(yield* up(path, "b", other)).toEqual({
              tag: "GenericError",
              message: `Invalid upload directory, not owner: ${path}`
            })
            expect((yield* faultOf(other.uploadFile({
              path,
              name: "c",
              size: 1,
              md5sum: md5(bytes("x")),
              offset: 0,
              data: bytes("x")
            }))).message).toContain("not owner")
            expect((yield* up(`${path}-theirs`, "b", other)).tag).toBe("ok")
            expect(text(yield* files.read(`work/${path}/a`))).toBe("mine")
            expect(yield* files.stat(`work/${path}/b`)).toBeUndefined()

            // logged-in users only
            const anon = yield* TestHub.client
            expect((yield* up("anon", "f", anon)).tag).toBe("ActionNotAllowed")
            expect((yield* faultOf(anon.checkUpload({ path, name: "a" }))).tag).toBe("ActionNotAllowed")
          }))

        it.scoped("legacy uploadFile: chunks, final verification, .log rewrites; checkUpload", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const files = yield* FileStore.FileStore
            const path = `cli-legacy/${transport}`
            const data = pattern(300_000, 3)
            const parts = [data.subarray(0, 100_000), data.subarray(100_000, 200_000), data.subarray(200_000)]
            let offset = 0
            for (const part of parts) {
              const ok = yield* admin.uploadFile({ path, name: "f.rpm", size: part.length, md5sum: md5(part), offset, data: part })
              expect(ok).toBe(true)
              offset += part.length
            }
            // the last call: offset -1, the total size and the whole file's digest (the sha256 form)
            const final = { path, name: "f.rpm", size: data.length, offset: -1, data: new Uint8Array(0) }
            expect(yield* admin.uploadFile({ ...final, md5sum: ["sha256", sha256(data)] })).toBe(true)
            expect(yield* admin.uploadFile({ ...final, md5sum: null, checksum: ["md5", md5(data)] })).toBe(true)
            expect(yield* admin.uploadFile({ ...final, md5sum: md5(bytes("wrong")) })).toBe(false)
            expect(same(yield* files.read(`work/${path}/f.rpm`), data)).toBe(true)
            // a chunk whose size or checksum does not match is refused (and not written)
            const chunk = bytes("more")
            expect(yield* admin.uploadFile({ path, name: "g", size: 5, md5sum: md5(chunk), offset: 0, data: chunk })).toBe(false)
            expect(yield* admin.uploadFile({ path, name: "g", size: 4, md5sum: md5(bytes("else")), offset: 0, data: chunk }))
              .toBe(false)
            expect(yield* files.stat(`work/${path}/g`)).toBeUndefined()
            expect((yield* faultOf(admin.uploadFile({ path, name: "g", size: 4, md5sum: ["crc99", "0"], offset: 0, data: chunk })))
              .message).toContain("Unsupported verify type")
            // offset 0 again: refused, except for logs
            const first = { path, size: 4, md5sum: md5(chunk), offset: 0, data: chunk }
            expect((yield* faultOf(admin.uploadFile({ ...first, name: "f.rpm" }))).message).toContain("file already exists")
            expect(yield* admin.uploadFile({ ...first, name: "build.log" })).toBe(true)
            expect(yield* admin.uploadFile({ ...first, name: "build.log", data: bytes("redo"), md5sum: md5(bytes("redo")) }))
              .toBe(true)
            expect(text(yield* files.read(`work/${path}/build.log`))).toBe("redo")

            // checkUpload
            expect(yield* admin.checkUpload({ path, name: "missing" })).toBeNull()
            const plain = yield* admin.checkUpload({ path, name: "f.rpm" })
            expect(Object.keys(plain!)).toEqual(["size", "mtime"])
            expect(plain!.size).toBe(data.length)
            expect(yield* admin.checkUpload({ path, name: "f.rpm", verify: "adler32", tail: 10 })).toMatchObject({
              size: data.length,
              sumlength: 10,
              hexdigest: Checksum.digest("adler32", data.subarray(data.length - 10))
            })
            expect(yield* admin.checkUpload({ path, name: "f.rpm", verify: "md5" })).toMatchObject({
              sumlength: data.length,
              hexdigest: md5(data)
            })
            expect((yield* faultOf(admin.checkUpload({ path, name: "f.rpm", verify: "adler32", tail: -1 }))).message)
              .toContain("Invalid tail value")
            expect((yield* faultOf(admin.checkUpload({ path: "../x", name: "f" }))).message).toContain(
              "Invalid upload directory"
            )
          }))

        it.scoped("task output: only the host running the task writes it; listed, downloaded, tailed", () =>
          Effect.gen(function*() {
            const admin = yield* TestHub.admin
            const anon = yield* TestHub.client
            const { host, hostId, taskId } = yield* openTask(`up-host-${transport}`)
            const { client: stranger } = yield* Builders.builder(`up-stranger-${transport}`, { ready: false })
            const dir = Paths.taskUpload(taskId)

            // a watcher of the task's output, from now on
            const after = yield* anon.events.lastId({})
            const watcher = yield* anon.watch({ after, filter: { task: taskId, kinds: ["task.output"] } }).pipe(
              Stream.take(3),
              Stream.runCollect,
              Effect.fork
            )

            expect(yield* host.upload({ path: dir, name: "build.log", data: bytes("line one\n") })).toMatchObject({ size: 9 })
            // what the log gained since, from where it ended
            expect(yield* host.upload({ path: dir, name: "build.log", data: bytes("line two\n"), offset: 9 }))
              .toMatchObject({ size: 18 })
            yield* host.upload({ path: `${dir}/sub`, name: "x.txt", data: bytes("nested") })

            const events = Chunk.toReadonlyArray(yield* Fiber.join(watcher))
            expect(events.map((e) => [e.kind, e.task_id, e.host_id, e.data])).toEqual([
              ["task.output", taskId, hostId, { name: "build.log", offset: 0, length: 9, size: 9 }],
              ["task.output", taskId, hostId, { name: "build.log", offset: 9, length: 9, size: 18 }],
              ["task.output", taskId, hostId, { name: "sub/x.txt", offset: 0, length: 6, size: 6 }]
            ])

            // others may not write there
            expect((yield* faultOf(stranger.upload({ path: dir, name: "evil.log", data: bytes("x") }))).tag).toBe(
              "ActionNotAllowed"
            )
            expect((yield* faultOf(admin.upload({ path: dir, name: "evil.log", data: bytes("x") }))).tag).toBe("AuthError")

            // listTaskOutput in Koji's four shapes
            expect(yield* anon.listTaskOutput({ taskID: taskId })).toEqual(["build.log", "sub/x.txt"])
            const stat = (yield* anon.listTaskOutput({ taskID: taskId, stat: true })) as Record<string, any>
            expect(Object.keys(stat)).toEqual(["build.log", "sub/x.txt"])
            expect(stat["build.log"]).toMatchObject({ st_size: "18" })
            expect(Object.keys(stat["build.log"])).toEqual(["st_atime", "st_ctime", "st_mtime", "st_size"])
            expect(yield* anon.listTaskOutput({ taskID: taskId, all_volumes: true })).toEqual({
              "build.log": ["DEFAULT"],
              "sub/x.txt": ["DEFAULT"]
            })
            const both = (yield* anon.listTaskOutput({ taskID: taskId, stat: true, all_volumes: true })) as any
            expect(both["sub/x.txt"].DEFAULT).toMatchObject({ st_size: "6" })
            expect(yield* anon.listTaskOutput({ taskID: 999_999 })).toEqual([])
            expect((yield* faultOf(anon.listTaskOutput({ taskID: 999_999, strict: true }))).message).toContain("No such task")

            // downloadTaskOutput with offsets, negative ones from the end
            const download = (fileName: string, offset = 0, size = -1) =>
              Effect.map(anon.downloadTaskOutput({ taskID: taskId, fileName, offset, size }), text)
            expect(yield* download("build.log")).toBe("line one\nline two\n")
            expect(yield* download("build.log", 5, 3)).toBe("one")
            expect(yield* download("build.log", -9)).toBe("line two\n")
            expect(yield* download("build.log", -9, 4)).toBe("line")
            expect(yield* download("build.log", 100)).toBe("")
            expect(yield* download("sub/x.txt")).toBe("nested")
            expect((yield* faultOf(download("../other/build.log"))).message).toContain("Invalid file name")
            expect((yield* faultOf(download("nope.log"))).message).toContain(`no file "nope.log" output by task ${taskId}`)

            // a finished task's directory is closed
            yield* host.host.closeTask({ task_id: taskId, response: yield* Effect.orDie(TaskRequest.encodeResult(null)) })
            expect((yield* faultOf(host.upload({ path: dir, name: "late.log", data: bytes("x") }))).tag).toBe(
              "ActionNotAllowed"
            )
          }))
      }
    )
  }
}

// ---------------------------------------------------------------------------------------------
// over HTTP, as Koji's own clients send it

const sample = (name: string) => Fs.readFileSync(Path.join(Samples.directory, name), "utf8")

const post = (url: string, body: Uint8Array | string, headers: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(url, { method: "POST", body, headers })
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

// a request sent as given (no URL normalising), answered in full
const rawRequest = (url: string, method: string, path: string, headers: Record<string, string> = {}) =>
  Effect.async<{ status: number; headers: Http.IncomingHttpHeaders; body: Buffer }, Error>((resume) => {
    const { hostname, port } = new URL(url)
    const req = Http.request({ hostname, port, method, path, headers }, (res) => {
      const chunks: Array<Buffer> = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => resume(Effect.succeed({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) })))
    })
    req.on("error", (e) => resume(Effect.fail(e)))
    req.end()
  })

// a raw upload that announces `length` bytes, sends `sent`, then drops the connection
const dropped = (url: string, headers: Record<string, string>, length: number, sent: Uint8Array) =>
  Effect.async<void>((resume) => {
    const req = Http.request(url, {
      method: "POST",
      headers: { ...headers, "Content-Type": "application/octet-stream", "Content-Length": String(length) }
    })
    req.on("error", () => resume(Effect.void))
    req.write(sent, () => {
      setTimeout(() => {
        req.destroy()
        resume(Effect.void)
      }, 200)
    })
  })

const sessionHeaders = (client: KojiClient.Client) =>
  Effect.map(client.session, (s) => ({
    "Koji-Session-Id": String(s!.id),
    "Koji-Session-Key": s!.key,
    "Koji-Session-Callnum": String(s!.callnum++)
  }))

const hubUrl = Effect.map(TestHub.Clients, (c) => c.url!)

for (const [db, Database] of TestDatabases.migrated) {
  const hub = TestHub.layer(
    Database,
    TestHub.allTransports[2][1],
    { maxRequestLength: 2 * MiB, maxUploadSize: 8 * MiB },
    Layer.unwrapScoped(Effect.map(tempDir("koji-kojifiles-"), (dir) => FileStore.layerLocal(Path.join(dir, "topdir"))))
  )
  layer(hub, { timeout: "120 seconds", excludeTestServices: true })(`Uploads over HTTP ${db}`, (it) => {
    it.scoped("Koji's CLI traffic: rawUpload then checkUpload, as recorded", () =>
      Effect.gen(function*() {
        const url = yield* hubUrl
        const admin = yield* TestHub.admin
        const body = pattern(6922, 11)
        // the request line and headers of rawUpload.http.txt
        const query = "filename=peerdemo-1.0-1.src.rpm&filepath=cli-import%2F1795586897.0595036.NgKvLqes" +
          "&fileverify=adler32&offset=0&overwrite=1"
        const response = yield* post(`${url}/kojihub?${query}`, body, {
          "User-Agent": "koji/1",
          "Accept": "*/*",
          ...(yield* sessionHeaders(admin)),
          "Content-Type": "application/octet-stream"
        })
        expect(response.status).toBe(200)
        expect(response.headers.get("content-type")).toBe("text/xml")
        expect(response.headers.get("koji-version")).toBeTruthy()
        const ours = yield* Codec.parseMethodResponse(response.text)
        const recorded = yield* Codec.parseMethodResponse(sample("rawUpload.response.xml"))
        expect(ours._tag).toBe("Params")
        const value = (ours as { value: Record<string, unknown> }).value
        // the same members, in the same order and of the same types as Koji's answer
        expect(Object.keys(value)).toEqual(Object.keys((recorded as { value: Record<string, unknown> }).value))
        expect(value).toEqual({ size: 6922, fileverify: "adler32", offset: 0, hexdigest: Checksum.digest("adler32", body) })

        // then checkUpload, the recorded request body as it is
        const check = yield* post(`${url}/kojihub`, sample("checkUpload.request.xml"), {
          "User-Agent": "koji/1",
          ...(yield* sessionHeaders(admin)),
          "Content-Type": "text/xml"
        })
        expect(check.text).toMatch(/<name>size<\/name>\s*<value><int>6922<\/int><\/value>/)
        expect(check.text).toMatch(/<name>mtime<\/name>\s*<value><double>[\d.]+<\/double><\/value>/)
        const checked = yield* Codec.parseMethodResponse(check.text)
        expect(checked._tag).toBe("Params")
        const parsed = Value.unwrapDoubles((checked as { value: unknown }).value) as Record<string, unknown>
        expect(Object.keys(parsed)).toEqual(["size", "mtime"])

        // a refusal is a fault, as for any call
        const refused = yield* post(`${url}/kojihub?filename=x&filepath=..%2F..%2Fetc&offset=0`, bytes("x"), {
          ...(yield* sessionHeaders(admin)),
          "Content-Type": "application/octet-stream"
        })
        const fault = yield* Codec.parseMethodResponse(refused.text)
        expect(fault).toMatchObject({ _tag: "Fault", faultCode: 1000, faultString: "Invalid upload directory: ../../etc" })
        // a chunk past the request limit of XML bodies: like Koji's hub, a raw upload has none
        const big = yield* post(`${url}/kojihub?filename=big&filepath=cli-import%2Fbig&offset=0`, pattern(3 * MiB), {
          ...(yield* sessionHeaders(admin)),
          "Content-Type": "application/octet-stream"
        })
        expect(big.status).toBe(200)
        expect(yield* Codec.parseMethodResponse(big.text)).toMatchObject({ _tag: "Params", value: { size: 3 * MiB } })
        // /api/upload answers JSON
        const typed = yield* post(`${url}/api/upload?filename=t&filepath=cli-import%2Ftyped&fileverify=md5`, bytes("abc"), {
          ...(yield* sessionHeaders(admin)),
          "Content-Type": "application/octet-stream"
        })
        expect(typed.status).toBe(200)
        expect(JSON.parse(typed.text)).toEqual({ size: 3, fileverify: "md5", offset: 0, hexdigest: md5(bytes("abc")) })
        const typedRefusal = yield* post(`${url}/api/upload?filename=.t&filepath=x`, bytes("abc"), {
          ...(yield* sessionHeaders(admin)),
          "Content-Type": "application/octet-stream"
        })
        expect(typedRefusal.status).toBe(400)
        expect(JSON.parse(typedRefusal.text)).toEqual({ faultCode: 1000, faultString: "Invalid upload filename: .t" })
        const anonymous = yield* post(`${url}/api/upload?filename=t&filepath=x`, bytes("abc"), {
          "Content-Type": "application/octet-stream"
        })
        expect(JSON.parse(anonymous.text).faultCode).toBe(Errors.ActionNotAllowed.faultCode)
      }))

    it.scoped("a dropped connection mid-chunk, then resumed at the last good offset", () =>
      Effect.gen(function*() {
        const url = yield* hubUrl
        const admin = yield* TestHub.admin
        const files = yield* FileStore.FileStore
        const data = pattern(5 * MiB, 5)
        const path = "cli-build/dropped"
        yield* admin.upload({ path, name: "f.bin", data: data.subarray(0, 3 * MiB) })
        // the fourth chunk: 1 MiB announced, 300 KB sent, then the connection drops
        yield* dropped(
          `${url}/kojihub?filename=f.bin&filepath=cli-build%2Fdropped&fileverify=adler32&offset=${3 * MiB}`,
          yield* sessionHeaders(admin),
          MiB,
          data.subarray(3 * MiB, 3 * MiB + 300_000)
        )
        // what arrived was written; the file is longer than the last good offset
        const partial = yield* Builders.eventually(
          admin.checkUpload({ path, name: "f.bin" }),
          (c) => c !== null && c.size > 3 * MiB
        )
        expect(partial!.size).toBeLessThanOrEqual(3 * MiB + 300_000)
        // resume from the last chunk the hub confirmed
        const resumed = yield* admin.upload({ path, name: "f.bin", data: data.subarray(3 * MiB), offset: 3 * MiB })
        expect(resumed.size).toBe(5 * MiB)
        expect(yield* admin.checkUpload({ path, name: "f.bin", verify: "adler32" })).toMatchObject({
          size: 5 * MiB,
          hexdigest: Checksum.digest("adler32", data)
        })
        expect(same(yield* files.read(`work/${path}/f.bin`), data)).toBe(true)
      }))

    it.scoped("the SDK streams a file in one request, past the request limit; a drop keeps what came", () =>
      Effect.gen(function*() {
        const url = yield* hubUrl
        const files = yield* FileStore.FileStore
        const http = yield* KojiClient.makeHttp({ url: `${url}/api` })
        yield* http.login({ user: "admin", password: TestHub.adminPassword })
        const data = pattern(5 * MiB + 77, 9)
        const path = "cli-build/streamed"
        const before = (yield* http.session)!.callnum
        const progress: Array<number> = []
        const result = yield* http.upload({
          path,
          name: "s.bin",
          data,
          onProgress: (sent) => Effect.sync(() => progress.push(sent))
        })
        expect(result).toEqual({ size: data.length, hexdigest: Checksum.digest("adler32", data) })
        // one upload request and the final checkUpload, against Koji's 2 MiB chunks
        expect((yield* http.session)!.callnum - before).toBe(2)
        expect(progress).toEqual([1, 2, 3, 4, 5].map((n) => n * MiB).concat([data.length]))
        expect(same(yield* files.read(`work/${path}/s.bin`), data)).toBe(true)
        // over XML-RPC the SDK sends Koji's 1 MiB chunks, unless told to stream (Koji's hub takes that too)
        const xmlrpc = yield* TestHub.admin
        const chunked = (yield* xmlrpc.session)!.callnum
        yield* xmlrpc.upload({ path, name: "x.bin", data })
        expect((yield* xmlrpc.session)!.callnum - chunked).toBe(7)
        const whole = (yield* xmlrpc.session)!.callnum
        yield* xmlrpc.upload({ path, name: "x.bin", data, chunkSize: Infinity, overwrite: true })
        expect((yield* xmlrpc.session)!.callnum - whole).toBe(2)
        expect(same(yield* files.read(`work/${path}/x.bin`), data)).toBe(true)

        // a streamed request that drops: what arrived is kept, and the upload resumes from the size
        yield* dropped(
          `${url}/api/upload?filename=d.bin&filepath=cli-build%2Fstreamed&fileverify=adler32&offset=0`,
          yield* sessionHeaders(http),
          data.length,
          data.subarray(0, 3 * MiB)
        )
        const partial = yield* Builders.eventually(
          http.checkUpload({ path, name: "d.bin" }),
          (c) => c !== null && c.size === 3 * MiB
        )
        const resumed = yield* http.upload({ path, name: "d.bin", data: data.subarray(partial!.size), offset: partial!.size })
        expect(resumed.size).toBe(data.length)
        expect(same(yield* files.read(`work/${path}/d.bin`), data)).toBe(true)

        // no file past the upload limit, however it is sent; nothing is kept past it
        const huge = pattern(9 * MiB, 3)
        for (const client of [http, xmlrpc]) {
          const tooLarge = yield* faultOf(client.upload({ path, name: "huge.bin", data: huge, chunkSize: Infinity, retries: 0 }))
          expect(tooLarge).toMatchObject({ tag: "GenericError", message: expect.stringMatching(/too large/) })
          expect((yield* http.checkUpload({ path, name: "huge.bin" }))?.size ?? 0).toBeLessThanOrEqual(8 * MiB)
        }
        const announced = yield* post(`${url}/api/upload?filename=h&filepath=cli-build%2Fstreamed`, huge, {
          ...(yield* sessionHeaders(http)),
          "Content-Type": "application/octet-stream"
        })
        expect(announced.status).toBe(413)
        // refused before its body is read: answered at once, the body dropped
        const anonymous = yield* post(`${url}/api/upload?filename=h&filepath=cli-build%2Fanon`, pattern(6 * MiB, 4), {
          "Content-Type": "application/octet-stream"
        })
        expect(JSON.parse(anonymous.text).faultCode).toBe(Errors.ActionNotAllowed.faultCode)
        expect(yield* http.checkUpload({ path: "cli-build/anon", name: "h" })).toBeNull()
      }))

    it.scoped("/kojifiles/ serves the topdir read-only, with ranges, and nothing outside it", () =>
      Effect.gen(function*() {
        const url = yield* hubUrl
        const files = yield* FileStore.FileStore
        const data = pattern(10_000, 9)
        yield* files.writeFile("packages/foo/1.0/1/x86_64/foo-1.0-1.x86_64.rpm", data)
        yield* files.writeFile("work/tasks/5/5/build.log", bytes("hello log\n"))

        const get = (path: string, headers: Record<string, string> = {}) => rawRequest(url, "GET", path, headers)
        const whole = yield* get("/kojifiles/packages/foo/1.0/1/x86_64/foo-1.0-1.x86_64.rpm")
        expect(whole.status).toBe(200)
        expect(whole.headers["content-type"]).toBe("application/x-rpm")
        expect(whole.headers["content-length"]).toBe("10000")
        expect(whole.headers["accept-ranges"]).toBe("bytes")
        expect(same(whole.body, data)).toBe(true)

        const part = yield* get("/kojifiles/packages/foo/1.0/1/x86_64/foo-1.0-1.x86_64.rpm", { Range: "bytes=100-199" })
        expect(part.status).toBe(206)
        expect(part.headers["content-range"]).toBe("bytes 100-199/10000")
        expect(same(part.body, data.subarray(100, 200))).toBe(true)
        const suffix = yield* get("/kojifiles/packages/foo/1.0/1/x86_64/foo-1.0-1.x86_64.rpm", { Range: "bytes=-10" })
        expect(suffix.status).toBe(206)
        expect(same(suffix.body, data.subarray(9990))).toBe(true)
        const open = yield* get("/kojifiles/packages/foo/1.0/1/x86_64/foo-1.0-1.x86_64.rpm", { Range: "bytes=9000-" })
        expect(open.body.length).toBe(1000)
        const beyond = yield* get("/kojifiles/packages/foo/1.0/1/x86_64/foo-1.0-1.x86_64.rpm", { Range: "bytes=20000-" })
        expect(beyond.status).toBe(416)
        expect(beyond.headers["content-range"]).toBe("bytes */10000")

        const log = yield* get("/kojifiles/work/tasks/5/5/build.log")
        expect(log.headers["content-type"]).toContain("text/plain")
        expect(log.body.toString()).toBe("hello log\n")
        const head = yield* rawRequest(url, "HEAD", "/kojifiles/work/tasks/5/5/build.log")
        expect(head.status).toBe(200)
        expect(head.headers["content-length"]).toBe("10")
        expect(head.body.length).toBe(0)
        expect((yield* rawRequest(url, "POST", "/kojifiles/work/tasks/5/5/build.log")).status).toBe(405)
        expect((yield* rawRequest(url, "DELETE", "/kojifiles/work/tasks/5/5/build.log")).status).toBe(405)

        // directories: a redirect to the slash form, then an index
        expect((yield* get("/kojifiles")).headers.location).toBe("/kojifiles/")
        const bare = yield* get("/kojifiles/work/tasks/5/5")
        expect(bare.status).toBe(301)
        expect(bare.headers.location).toBe("/kojifiles/work/tasks/5/5/")
        const listing = yield* get("/kojifiles/work/tasks/5/5/")
        expect(listing.status).toBe(200)
        expect(listing.body.toString()).toContain(`<a href="build.log">build.log</a>`)
        expect((yield* get("/kojifiles/")).body.toString()).toContain(`<a href="packages/">packages/</a>`)
        expect((yield* get("/kojifiles/nothing/here")).status).toBe(404)

        // nothing outside the topdir, however the path is spelled
        const root = files.localRoot!
        Fs.writeFileSync(Path.join(root, "..", "secret"), "top secret")
        Fs.symlinkSync(Path.join(root, ".."), Path.join(root, "work", "up"))
        for (
          const path of [
            "/kojifiles/../secret",
            "/kojifiles/work/../../secret",
            "/kojifiles/%2e%2e/secret",
            "/kojifiles/work/%2E%2E/%2E%2E/secret",
            "/kojifiles/..%2fsecret",
            "/kojifiles/work/up/secret",
            "/kojifiles/work/up/",
            "/kojifiles/%00"
          ]
        ) {
          const response = yield* get(path)
          expect([400, 404]).toContain(response.status)
          expect(response.body.toString()).not.toContain("top secret")
        }
      }))
  })
}

describe("the SDK's upload against a stock Koji hub", () => {
  it.scoped("sends Koji's rawUpload query and headers, checks each answer, retries a lost chunk, confirms", () =>
    Effect.gen(function*() {
      // a loopback "Koji hub": answers rawUpload as Koji does, keeps the file and the requests
      const requests: Array<{ url: string; headers: Http.IncomingHttpHeaders }> = []
      let file = Buffer.alloc(0)
      let dropped = false
      const server = yield* Effect.acquireRelease(
        Effect.async<Http.Server>((resume) => {
          const s = Http.createServer((req, res) => {
            const chunks: Array<Buffer> = []
            req.on("data", (c: Buffer) => chunks.push(c))
            req.on("end", () => {
              const body = Buffer.concat(chunks)
              requests.push({ url: req.url!, headers: req.headers })
              res.writeHead(200, { "Content-Type": "text/xml", "Koji-Version": "1.35.3" })
              if (req.headers["content-type"] === "application/octet-stream") {
                const q = new URL(req.url!, "http://x").searchParams
                const offset = Number(q.get("offset"))
                // the first try of the second chunk loses its connection after half of it arrived
                if (offset === MiB && !dropped) {
                  dropped = true
                  file = Buffer.concat([file.subarray(0, offset), body.subarray(0, body.length / 2)])
                  req.socket.destroy()
                  return
                }
                file = Buffer.concat([file.subarray(0, offset), body])
                const answer = sample("rawUpload.response.xml")
                  .replace("<int>6922</int>", `<int>${body.length}</int>`)
                  .replace("<int>0</int>", `<int>${offset}</int>`)
                  .replace("59358a79", Checksum.digest("adler32", body))
                res.end(answer)
              } else {
                const call = Codec.parseMethodCall(body.toString())
                void Effect.runPromise(call).then(() =>
                  res.end(
                    `<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n<value><struct>\n` +
                      `<member>\n<name>size</name>\n<value><int>${file.length}</int></value>\n</member>\n` +
                      `<member>\n<name>mtime</name>\n<value><double>1795586897.062582</double></value>\n</member>\n` +
                      `<member>\n<name>sumlength</name>\n<value><int>${file.length}</int></value>\n</member>\n` +
                      `<member>\n<name>hexdigest</name>\n<value><string>${
                        Checksum.digest("adler32", file)
                      }</string></value>\n</member>\n` +
                      `</struct></value>\n</param>\n</params>\n</methodResponse>\n`
                  )
                )
              }
            })
          })
          s.listen(0, "127.0.0.1", () => resume(Effect.succeed(s)))
        }),
        (s) =>
          Effect.async<void>((resume) => {
            s.close(() => resume(Effect.void))
          })
      )
      const port = (server.address() as { port: number }).port
      const client = yield* KojiClient.makeXmlRpc({ url: `http://127.0.0.1:${port}/kojihub` })
      yield* client.useSession({ id: 36, key: "XXXX", callnum: 3 })
      const data = pattern(2 * MiB + 10, 4)
      const result = yield* client.upload({
        path: "cli-import/1795586897.0595036.NgKvLqes",
        name: "peerdemo-1.0-1.src.rpm",
        data,
        overwrite: true
      })
      expect(result).toEqual({ size: data.length, hexdigest: Checksum.digest("adler32", data) })
      expect(same(file, data)).toBe(true)
      const uploads = requests.filter((r) => r.headers["content-type"] === "application/octet-stream")
      // the dropped chunk was sent again at its offset
      expect(uploads.map((r) => r.url)).toEqual([0, MiB, MiB, 2 * MiB].map((offset) =>
        `/kojihub?filename=peerdemo-1.0-1.src.rpm&filepath=cli-import%2F1795586897.0595036.NgKvLqes` +
        `&fileverify=adler32&offset=${offset}&overwrite=1`
      ))
      expect(uploads.map((r) => r.headers["koji-session-callnum"])).toEqual(["3", "4", "5", "6"])
      expect(uploads[0]!.headers).toMatchObject({ "koji-session-id": "36", "koji-session-key": "XXXX", "user-agent": "koji/1" })
      // then checkUpload, with the session
      expect(requests.at(-1)!.headers["content-type"]).toBe("text/xml")
      expect(requests.at(-1)!.headers["koji-session-callnum"]).toBe("7")
    }))
})
