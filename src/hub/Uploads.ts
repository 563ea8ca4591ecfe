/**
 * Uploads and task output (reference 2.9), on the `FileStore`.
 *
 * Every upload lands in `work/<path>/<name>` (under `vol/<volume>/` for another volume).
 * The name may not contain `/` or start with `.`; the path is normalised and may not leave
 * `work/`. A path under `tasks/` must be `tasks/<id % 10000>/<id>/...` and only the host
 * running that OPEN task may write there; elsewhere the first uploader's user id is kept in a
 * `.user` file and other users are refused.
 *
 * A chunk that lands in a task's directory publishes a `task.output` event (task id, file
 * name, offset, length and the file's size) so watchers tail logs without polling.
 *
 * @since 0.1.0
 */
import { SqlClient } from "@effect/sql"
import { Context, Effect, Layer, Stream } from "effect"
import type { OutputStat, RawUploadResult, UploadInfo } from "../api/Files.js"
import { TaskState } from "../domain/Enums.js"
import { ActionNotAllowed, GenericError, type KojiError } from "../domain/Errors.js"
import * as Checksum from "../storage/Checksum.js"
import { type ChecksumType, FileStore, normalize, StorageError } from "../storage/FileStore.js"
import * as Paths from "../storage/Paths.js"
import * as Database from "../db/Database.js"
import * as Caller from "./Caller.js"
import * as Credentials from "./Credentials.js"
import { Dispatcher } from "./Dispatcher.js"
import * as EventStream from "./EventStream.js"
import { HubConfig, maxUploadSize as uploadLimit } from "./HubConfig.js"

/**
 * The event kind of a chunk that landed in a task's directory.
 *
 * @since 0.1.0
 * @category constants
 */
export const outputEvent = "task.output"

/**
 * One chunk of the fast upload (`rawUpload`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawUploadOptions {
  readonly path: string
  readonly name: string
  /** Where the chunk goes; -1 appends. */
  readonly offset: number
  /** The checksum to answer (`adler32`, `md5`, `sha256`); empty or null for none. */
  readonly verify: string | null
  /** Cut the file at `offset` first (needed to write an existing file at offset 0, except `.log` files). */
  readonly overwrite: boolean
  readonly volume: string | null
  /** The most bytes this one chunk may carry (the request size limit). */
  readonly maxChunk?: number | undefined
}

/**
 * The arguments of Koji's legacy `uploadFile`.
 *
 * @since 0.1.0
 * @category models
 */
export interface LegacyUpload {
  readonly path: string
  readonly name: string
  readonly size: number | null
  readonly md5sum: string | readonly [string, string] | null
  readonly offset: number
  readonly data: Uint8Array
  readonly volume: string | null
  readonly checksum: string | readonly [string, string] | null
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Uploads extends Context.Tag("koji/hub/Uploads")<Uploads, {
  /** One chunk of the fast upload, bytes or a stream (an HTTP body, written as it arrives). */
  readonly rawUpload: <E = never>(
    options: RawUploadOptions,
    data: Uint8Array | Stream.Stream<Uint8Array, E>
  ) => Effect.Effect<RawUploadResult, KojiError | E, Caller.CurrentCaller>
  /** Koji's legacy `uploadFile`: false when a size or checksum does not match. */
  readonly uploadFile: (upload: LegacyUpload) => Effect.Effect<boolean, KojiError, Caller.CurrentCaller>
  /** Koji's `checkUpload`. */
  readonly checkUpload: (options: {
    readonly path: string
    readonly name: string
    readonly verify: string | null
    readonly tail: number | null
    readonly volume: string | null
  }) => Effect.Effect<UploadInfo | null, KojiError>
  /** Koji's `listTaskOutput`. */
  readonly listTaskOutput: (options: {
    readonly taskId: number
    readonly stat: boolean
    readonly allVolumes: boolean
    readonly strict: boolean
  }) => Effect.Effect<
    ReadonlyArray<string> | Readonly<Record<string, OutputStat | ReadonlyArray<string> | Readonly<Record<string, OutputStat>>>>,
    KojiError
  >
  /** Koji's `downloadTaskOutput`. */
  readonly downloadTaskOutput: (options: {
    readonly taskId: number
    readonly fileName: string
    readonly offset: number
    readonly size: number
    readonly volume: string | null
  }) => Effect.Effect<Uint8Array, KojiError>
}>() {}

/**
 * A storage failure as the Koji fault a hub method answers (`GenericError` with its text).
 *
 * @since 0.1.0
 * @category errors
 */
export const fromStorage = (error: StorageError): GenericError => new GenericError({ message: error.message })

const verifyType = (verify: string | null | undefined): Effect.Effect<ChecksumType | undefined, GenericError> => {
  if (verify === null || verify === undefined || verify === "") return Effect.succeed(undefined)
  return Checksum.isType(verify)
    ? Effect.succeed(verify)
    : Effect.fail(new GenericError({ message: `Unsupported verify type: ${verify}` }))
}

interface Target {
  /** The file, topdir-relative. */
  readonly file: string
  /** The task whose directory it is in (for the output event). */
  readonly task: { readonly id: number; readonly parent: number | null; readonly hostId: number } | undefined
  /** The file's name relative to the task's directory. */
  readonly taskFile: string
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const store = yield* FileStore
  const sql = yield* SqlClient.SqlClient
  const config = yield* HubConfig
  const maxUploadSize = uploadLimit(config)

  const storage = <A, R>(effect: Effect.Effect<A, StorageError, R>) => Effect.mapError(effect, fromStorage)

  // Koji's lookup_name('volume', ..., strict=True): a name or an id; answers the name
  const volumeName = (volume: string | null) =>
    Effect.gen(function*() {
      if (volume === null || volume === "DEFAULT") return undefined
      const id = /^\d+$/.test(volume) ? Number(volume) : -1
      const [row] = yield* sql<{ name: string }>`SELECT name FROM volume WHERE name = ${volume} OR id = ${id}`
      if (row === undefined) return yield* new GenericError({ message: `No such volume: ${volume}` })
      return row.name === "DEFAULT" ? undefined : row.name
    }).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(new GenericError({ message: e.message }))))

  const invalidDir = (path: string) => new GenericError({ message: `Invalid upload directory: ${path}` })

  // Koji's get_upload_path: checks the name and path; with `create`, the directory and its rights
  const uploadPath = (path: string, name: string, volume: string | null, create: boolean) =>
    Effect.gen(function*() {
      if (name === "" || name.startsWith(".") || name.includes("/") || name.includes("\0")) {
        return yield* new GenericError({ message: `Invalid upload filename: ${name}` })
      }
      const rel = yield* Effect.mapError(normalize(path), () => invalidDir(path))
      if (rel === "" || rel.startsWith("..")) return yield* invalidDir(path)
      const dir = `${Paths.workDir(yield* volumeName(volume))}/${rel}`
      const file = `${dir}/${name}`
      const parts = rel.split("/")
      if (parts[0] !== "tasks") {
        if (create) yield* claim(dir, path)
        return { file, task: undefined, taskFile: name } satisfies Target
      }
      // tasks/<id % 10000>/<id>/...: only the host running that task
      const [, bucket, idText] = parts
      if (bucket === undefined || idText === undefined || !/^\d+$/.test(bucket) || !/^\d+$/.test(idText)) {
        return yield* invalidDir(path)
      }
      const taskId = Number(idText)
      if (Number(bucket) !== taskId % 10000) return yield* invalidDir(path)
      const taskFile = [...parts.slice(3), name].join("/")
      if (!create) return { file, task: undefined, taskFile } satisfies Target
      const { hostId } = yield* Caller.host
      const [task] = yield* sql<{ host_id: number | null; state: number; parent: number | null }>`
        SELECT host_id, state, parent FROM task WHERE id = ${taskId}`.pipe(
          Effect.catchTag("SqlError", (e) => Effect.fail(new GenericError({ message: e.message })))
        )
      if (task === undefined || task.host_id !== hostId || task.state !== TaskState.OPEN) {
        return yield* new ActionNotAllowed({ message: `host ${hostId} does not own task ${taskId}` })
      }
      yield* storage(store.makeDirectory(dir))
      return { file, task: { id: taskId, parent: task.parent, hostId }, taskFile } satisfies Target
    })

  // owners of directories seen (a `.user` file never changes once written), bounded
  const owners = new Map<string, number>()

  // the first uploader owns a directory (its user id in `.user`); others are refused
  const claim = (dir: string, path: string) =>
    Effect.gen(function*() {
      const session = yield* Caller.session
      const known = owners.get(dir)
      if (known === session.userId) return
      const marker = `${dir}/.user`
      const owner = known ?? (yield* store.read(marker).pipe(
        Effect.map((bytes): number | undefined => Number(Buffer.from(bytes).toString("utf8").trim())),
        Effect.catchIf((e) => e.reason === "NotFound", () => Effect.succeed(undefined)),
        Effect.mapError(fromStorage)
      ))
      if (owner === undefined) {
        yield* storage(store.writeFile(marker, new TextEncoder().encode(String(session.userId))))
      } else if (owner !== session.userId) {
        return yield* new GenericError({ message: `Invalid upload directory, not owner: ${path}` })
      }
      if (owners.size >= 10_000) owners.clear()
      owners.set(dir, owner ?? session.userId)
    })

  const tooLarge = (file: string) =>
    new GenericError({ message: `upload too large: ${file} would pass ${maxUploadSize} bytes` })

  const announce = (target: Target, offset: number, length: number, size: number) =>
    target.task === undefined ? Effect.void : EventStream.publish({
      kind: outputEvent,
      task_id: target.task.id,
      parent_id: target.task.parent,
      host_id: target.task.hostId,
      data: { name: target.taskFile, offset, length, size }
    }).pipe(
      Database.withSql(sql),
      Effect.catchTag("SqlError", (e) => Effect.fail(new GenericError({ message: e.message })))
    )

  const rawUpload = <E>(
    options: RawUploadOptions,
    data: Uint8Array | Stream.Stream<Uint8Array, E>
  ): Effect.Effect<RawUploadResult, KojiError | E, Caller.CurrentCaller> =>
    Effect.gen(function*() {
      const verify = yield* verifyType(options.verify)
      const offset = options.offset
      if (!Number.isSafeInteger(offset) || offset < -1) {
        return yield* new GenericError({ message: `Invalid offset: ${offset}` })
      }
      const target = yield* uploadPath(options.path, options.name, options.volume, true)
      const limit = options.maxChunk ?? Number.POSITIVE_INFINITY
      if (data instanceof Uint8Array) {
        if (data.length > limit) return yield* new GenericError({ message: `upload chunk too large (over ${limit} bytes)` })
        if (offset >= 0 && offset + data.length > maxUploadSize) return yield* tooLarge(target.file)
      }
      const hasher = verify === undefined ? undefined : Checksum.make(verify)
      let length = 0
      const counted = (data instanceof Uint8Array ? Stream.succeed(data) : data).pipe(
        Stream.mapEffect((piece) => {
          length += piece.length
          if (length > limit) {
            return Effect.fail(new GenericError({ message: `upload chunk too large (over ${limit} bytes)` }))
          }
          if (offset >= 0 && offset + length > maxUploadSize) return Effect.fail(tooLarge(target.file))
          hasher?.update(piece)
          return Effect.succeed(piece)
        })
      )
      // Koji lets `.log` files be written again from the start (logs re-sent while a task runs)
      const overwrite = options.overwrite || (offset === 0 && options.name.endsWith(".log"))
      const written = yield* store.writeStream(target.file, offset, counted, { overwrite }).pipe(
        Effect.mapError((e) =>
          !(e instanceof StorageError) ?
            e :
            e.reason === "Exists" ?
            new GenericError({ message: `upload path exists: ${options.path}/${options.name}` }) :
            fromStorage(e)
        )
      )
      if (written.size > maxUploadSize) {
        yield* storage(store.truncate(target.file, written.offset))
        return yield* tooLarge(target.file)
      }
      yield* announce(target, written.offset, length, written.size)
      const result: { -readonly [K in keyof RawUploadResult]: RawUploadResult[K] } = {
        size: length,
        fileverify: options.verify ?? "",
        offset: written.offset
      }
      if (hasher !== undefined) result.hexdigest = hasher.digest()
      return result
    })

  const parseChecksum = (value: string | readonly [string, string] | null) =>
    Effect.gen(function*() {
      if (value === null) return undefined
      const [type, digest] = typeof value === "string" ? ["md5", value] as const : value
      const verify = yield* verifyType(type)
      return verify === undefined ? undefined : { type: verify, digest: digest.toLowerCase() }
    })

  const uploadFile = (upload: LegacyUpload) =>
    Effect.gen(function*() {
      const expected = yield* parseChecksum(upload.checksum ?? upload.md5sum)
      const { data, offset, size } = upload
      if (!Number.isSafeInteger(offset) || offset < -1) {
        return yield* new GenericError({ message: `Invalid offset: ${offset}` })
      }
      if (offset !== -1) {
        if (size !== null && size !== data.length) return false
        if (expected !== undefined && Checksum.digest(expected.type, data) !== expected.digest) return false
      }
      const target = yield* uploadPath(upload.path, upload.name, upload.volume, true)
      const existing = yield* storage(store.stat(target.file))
      if (existing?.isDirectory === true) {
        return yield* new GenericError({ message: `destination not a file: ${target.file}` })
      }
      if (existing !== undefined && offset === 0 && !upload.name.endsWith(".log")) {
        return yield* new GenericError({ message: `file already exists: ${target.file}` })
      }
      const end = (offset === -1 ? existing?.size ?? 0 : offset) + data.length
      if (end > maxUploadSize || (offset === -1 && size !== null && size > maxUploadSize)) {
        return yield* tooLarge(target.file)
      }
      // a first chunk, or the whole file in one last call, starts the file over
      const whole = offset === 0 || (offset === -1 && size === data.length)
      const { size: after } = yield* storage(
        store.writeChunk(target.file, whole ? 0 : offset, data, { overwrite: true })
      )
      let final = after
      if (offset === -1) {
        if (size !== null && size !== after) {
          yield* storage(store.truncate(target.file, size))
          final = size
        }
        if (expected !== undefined) {
          const digest = yield* storage(store.checksum(target.file, expected.type))
          if (digest !== expected.digest) return false
        }
      }
      yield* announce(target, whole ? 0 : Math.max(0, after - data.length), data.length, final)
      return true
    })

  const checkUpload: Uploads["Type"]["checkUpload"] = (options) =>
    Effect.gen(function*() {
      const verify = yield* verifyType(options.verify)
      const target = yield* uploadPath(options.path, options.name, options.volume, false)
      const info = yield* storage(store.stat(target.file))
      if (info === undefined) return null
      if (info.isDirectory) return yield* new GenericError({ message: `Not a regular file: ${target.file}` })
      if (verify === undefined) return { size: info.size, mtime: info.mtime }
      const tail = options.tail
      if (tail !== null && tail < 0) return yield* new GenericError({ message: `Invalid tail value: ${tail}` })
      const hexdigest = yield* storage(store.checksum(target.file, verify, { tail: tail ?? undefined }))
      return {
        size: info.size,
        mtime: info.mtime,
        sumlength: tail === null ? info.size : Math.min(tail, info.size),
        hexdigest
      }
    }).pipe(Effect.provideService(Caller.CurrentCaller, Caller.anonymous))

  const listTaskOutput: Uploads["Type"]["listTaskOutput"] = (options) =>
    Effect.gen(function*() {
      const { allVolumes, stat, taskId } = options
      if (options.strict) {
        const [row] = yield* sql<{ id: number }>`SELECT id FROM task WHERE id = ${taskId}`
        if (row === undefined) return yield* new GenericError({ message: `No such task: ${taskId}` })
      }
      const volumes = allVolumes
        ? (yield* sql<{ name: string }>`SELECT name FROM volume ORDER BY id`).map((r) => r.name)
        : ["DEFAULT"]
      const names: Array<string> = []
      const byFile: Record<string, any> = {}
      for (const volume of volumes) {
        const dir = `${Paths.workDir(volume)}/${Paths.taskUpload(taskId)}`
        const files = yield* storage(store.walk(dir))
        for (const file of files) {
          if (!stat) {
            if (allVolumes) (byFile[file] ??= []).push(volume)
            else names.push(file)
            continue
          }
          const info = yield* storage(store.stat(`${dir}/${file}`))
          if (info === undefined) continue
          const st: OutputStat = {
            st_atime: info.atime,
            st_ctime: info.ctime,
            st_mtime: info.mtime,
            st_size: String(info.size)
          }
          if (allVolumes) (byFile[file] ??= {})[volume] = st
          else byFile[file] = st
        }
      }
      return stat || allVolumes ? byFile : names
    }).pipe(Effect.catchTag("SqlError", (e) => Effect.fail(new GenericError({ message: e.message }))))

  const downloadTaskOutput: Uploads["Type"]["downloadTaskOutput"] = (options) =>
    Effect.gen(function*() {
      const { fileName, taskId } = options
      if (fileName.includes("..")) return yield* new GenericError({ message: `Invalid file name: ${fileName}` })
      const volume = yield* volumeName(options.volume)
      const file = `${Paths.workDir(volume)}/${Paths.taskUpload(taskId)}/${fileName}`
      const missing = new GenericError({ message: `no file "${fileName}" output by task ${taskId}` })
      const info = yield* store.stat(file).pipe(Effect.mapError(() => missing))
      if (info === undefined || info.isDirectory) return yield* missing
      return yield* storage(store.read(file, { offset: options.offset, size: options.size }))
    })

  return Uploads.of({ rawUpload, uploadFile, checkUpload, listTaskOutput, downloadTaskOutput })
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Uploads, never, FileStore | SqlClient.SqlClient | HubConfig> = Layer.effect(Uploads, make)

const flag = (value: string | null) => value !== null && value !== "" && value !== "0" && value.toLowerCase() !== "false"

/**
 * The fast upload's query (Koji's `handle_upload`): `filename`, `filepath`, `fileverify`,
 * `offset` (default 0), `overwrite` and `volume`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const parseQuery = (query: URLSearchParams): Effect.Effect<Omit<RawUploadOptions, "maxChunk">, GenericError> =>
  Effect.gen(function*() {
    const name = query.get("filename")
    if (name === null) return yield* new GenericError({ message: "upload without a filename" })
    const offsetText = query.get("offset") ?? "0"
    if (!/^-?\d+$/.test(offsetText)) return yield* new GenericError({ message: `Invalid offset: ${offsetText}` })
    const volume = query.get("volume")
    return {
      name,
      path: query.get("filepath") ?? "",
      verify: query.get("fileverify") ?? "",
      offset: Number(offsetText),
      overwrite: flag(query.get("overwrite")),
      volume: volume === null || volume === "" ? null : volume
    }
  })

/**
 * One fast-upload HTTP request (`POST /kojihub` with `application/octet-stream`, or
 * `/api/upload`): the session from the usual headers, then the call through the dispatcher
 * like any other (`rawUpload`: its access checks, call numbers), the body streamed to the store.
 *
 * @since 0.1.0
 * @category combinators
 */
export const rawRequest = <E>(options: {
  readonly query: URLSearchParams
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: Stream.Stream<Uint8Array, E>
  readonly transport: Caller.Transport
  /** The most bytes one chunk may carry. */
  readonly maxChunk: number
}): Effect.Effect<RawUploadResult, KojiError, Dispatcher | Uploads> =>
  Effect.gen(function*() {
    const dispatcher = yield* Dispatcher
    const uploads = yield* Uploads
    const entry = dispatcher.methods.get("rawUpload")
    const parsed = yield* parseQuery(options.query)
    const credentials = yield* Credentials.fromHeaders(options.headers, options.query)
    const body = Stream.mapError(options.body, (e) =>
      e instanceof GenericError
        ? e
        : new GenericError({ message: `upload interrupted: ${e instanceof Error ? e.message : String(e)}` }))
    const run = Effect.zipRight(
      entry === undefined ? Effect.void : dispatcher.checkAccess(entry.info),
      uploads.rawUpload({ ...parsed, maxChunk: options.maxChunk }, body)
    )
    return yield* dispatcher.request({ method: "rawUpload", credentials, transport: options.transport }, run)
  })
