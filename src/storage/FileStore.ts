/**
 * The hub's file store: Koji's topdir (`packages/`, `work/`, `scratch/`, `repos/`, ...)
 * behind one service, so the hub, the import path and `/kojifiles/` never touch the disk
 * directly. Paths are relative to the topdir, `/`-separated; none may leave it.
 *
 * Layers: a local directory (the default, `KOJI_HOME/topdir`) and memory (tests).
 *
 * @since 0.1.0
 */
import { Config, type ConfigError, Context, Effect, Layer, Schema, Stream } from "effect"
import { constants as fsConstants, createReadStream } from "node:fs"
import * as fs from "node:fs/promises"
import * as NodePath from "node:path"
import * as Checksum from "./Checksum.js"

/**
 * Why a file operation failed.
 *
 * - `NotFound`: no such file or directory
 * - `Exists`: the destination exists (and may not be replaced)
 * - `BadPath`: the path is malformed or would leave the topdir (`..`, absolute, a symlink out)
 * - `Checksum`: the data does not match the checksum given
 * - `TooLarge`: over the size limit
 * - `Io`: anything else the file system reported
 *
 * @since 0.1.0
 * @category errors
 */
export class StorageError extends Schema.TaggedError<StorageError>()("StorageError", {
  reason: Schema.Literal("NotFound", "Exists", "BadPath", "Checksum", "TooLarge", "Io"),
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * What `stat` and `list` tell of a file.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileInfo {
  /** The base name. */
  readonly name: string
  /** The topdir-relative path. */
  readonly path: string
  readonly size: number
  /** Seconds since the epoch (fractional). */
  readonly mtime: number
  readonly atime: number
  readonly ctime: number
  readonly isDirectory: boolean
}

/**
 * The checksums Koji's clients send.
 *
 * @since 0.1.0
 * @category models
 */
export type ChecksumType = "adler32" | "md5" | "sha256"

/**
 * @since 0.1.0
 * @category services
 */
export class FileStore extends Context.Tag("koji-ts/FileStore")<FileStore, FileStore.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace FileStore {
  /**
   * @since 0.1.0
   * @category models
   */
  export interface Service {
    /** The topdir's absolute directory when it is on local disk (for tools that need a path); undefined in memory. */
    readonly localRoot: string | undefined
    /** A file's or directory's information; undefined when it does not exist. */
    readonly stat: (path: string) => Effect.Effect<FileInfo | undefined, StorageError>
    /** The entries of a directory (empty when it does not exist), sorted by name. */
    readonly list: (dir: string) => Effect.Effect<ReadonlyArray<FileInfo>, StorageError>
    /** Every file under a directory, recursively, as paths relative to `dir`. */
    readonly walk: (dir: string) => Effect.Effect<ReadonlyArray<string>, StorageError>
    /** Read `size` bytes (all when -1 or absent) from `offset` (from the end when negative). */
    readonly read: (
      path: string,
      options?: { readonly offset?: number | undefined; readonly size?: number | undefined }
    ) => Effect.Effect<Uint8Array, StorageError>
    /** Stream bytes `[start, end)` (the whole file by default). */
    readonly stream: (
      path: string,
      options?: { readonly start?: number | undefined; readonly end?: number | undefined }
    ) => Stream.Stream<Uint8Array, StorageError>
    /**
     * Write one upload chunk with Koji's rules: offset -1 appends; `overwrite` truncates the file
     * at `offset` first; offset 0 on an existing file without `overwrite` is `Exists`; a write that
     * is not an append must end the file (offset + size). Answers the file's new size.
     */
    readonly writeChunk: (
      path: string,
      offset: number,
      data: Uint8Array,
      options?: { readonly overwrite?: boolean | undefined }
    ) => Effect.Effect<{ readonly size: number }, StorageError>
    /**
     * `writeChunk` from a stream (an upload's request body): the bytes reach the file as they
     * arrive. Answers the offset written at (the end of the file for -1) and the file's new size.
     * When the stream fails, what arrived stays written (a client resumes at its last good offset).
     */
    readonly writeStream: <E>(
      path: string,
      offset: number,
      data: Stream.Stream<Uint8Array, E>,
      options?: { readonly overwrite?: boolean | undefined }
    ) => Effect.Effect<{ readonly offset: number; readonly size: number }, StorageError | E>
    /** Write a whole file atomically (a temporary name, then a rename). */
    readonly writeFile: (path: string, data: Uint8Array) => Effect.Effect<void, StorageError>
    /** Cut a file to `size` bytes. */
    readonly truncate: (path: string, size: number) => Effect.Effect<void, StorageError>
    /** Move a file or directory (parents made); `Exists` when the destination exists. */
    readonly move: (from: string, to: string) => Effect.Effect<void, StorageError>
    /**
     * Give a file a second name (parents made), sharing its content: a hard link on disk (a copy
     * across file systems). Koji moves imported files and leaves a link in the task's directory;
     * here the task's file stays and the build's file is the link. `Exists` when the destination exists.
     */
    readonly link: (from: string, to: string) => Effect.Effect<void, StorageError>
    /** Copy a file (parents made); `Exists` when the destination exists. */
    readonly copy: (from: string, to: string) => Effect.Effect<void, StorageError>
    /** Make a directory and its parents. */
    readonly makeDirectory: (dir: string) => Effect.Effect<void, StorageError>
    /** Remove a file, or a directory with everything in it; nothing when it does not exist. */
    readonly remove: (path: string) => Effect.Effect<void, StorageError>
    /** A file's checksum as lowercase hex (adler32 as 8 hex digits), of its last `tail` bytes when given. */
    readonly checksum: (
      path: string,
      type: ChecksumType,
      options?: { readonly tail?: number | undefined }
    ) => Effect.Effect<string, StorageError>
  }
}

const badPath = (path: string, message: string) => new StorageError({ reason: "BadPath", path, message })

/**
 * A topdir-relative path made canonical: `/`-separated, no `.` or empty parts, `..` folded in;
 * `""` is the topdir itself. Absolute paths, NUL bytes and `..` that would leave the topdir are
 * `BadPath`.
 *
 * @since 0.1.0
 * @category paths
 */
export const normalize = (path: string): Effect.Effect<string, StorageError> =>
  Effect.suspend(() => {
    if (typeof path !== "string") return Effect.fail(badPath(String(path), "path is not a string"))
    if (path.includes("\0")) return Effect.fail(badPath(path, "path contains a NUL byte"))
    if (path.startsWith("/")) return Effect.fail(badPath(path, "absolute paths are not allowed"))
    const parts: Array<string> = []
    for (const part of path.split("/")) {
      if (part === "" || part === ".") continue
      if (part === "..") {
        if (parts.length === 0) return Effect.fail(badPath(path, "path leaves the topdir"))
        parts.pop()
      } else {
        parts.push(part)
      }
    }
    return Effect.succeed(parts.join("/"))
  })

const parentOf = (path: string) => {
  const i = path.lastIndexOf("/")
  return i < 0 ? "" : path.slice(0, i)
}

const baseName = (path: string) => path.slice(path.lastIndexOf("/") + 1)

const checkOffset = (path: string, offset: number) =>
  Number.isSafeInteger(offset) && offset >= -1 ?
    Effect.void :
    Effect.fail(new StorageError({ reason: "BadPath", path, message: `invalid offset: ${offset}` }))

// one writer at a time per file (Koji locks the file; we queue)
const makeLocks = () => {
  const locks = new Map<string, { readonly semaphore: Effect.Semaphore; users: number }>()
  return <A, E, R>(key: string, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      let entry = locks.get(key)
      if (entry === undefined) {
        entry = { semaphore: Effect.unsafeMakeSemaphore(1), users: 0 }
        locks.set(key, entry)
      }
      const held = entry
      held.users++
      return held.semaphore.withPermits(1)(effect).pipe(
        Effect.ensuring(Effect.sync(() => {
          if (--held.users === 0) locks.delete(key)
        }))
      )
    })
}

// [start, end) of a file of `size` bytes for read's offset/size (offset < 0 counts from the end)
const readRange = (size: number, offset = 0, length = -1) => {
  const start = offset < 0 ? Math.max(0, size + offset) : Math.min(offset, size)
  const end = length < 0 ? size : Math.min(size, start + length)
  return [start, end] as const
}

// ---------------------------------------------------------------------------------------------
// memory

interface MemoryFile {
  data: Uint8Array
  length: number
  mtime: number
  atime: number
  ctime: number
}

/**
 * A file store in memory (tests, examples); starts empty.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory: Effect.Effect<FileStore.Service> = Effect.sync(() => {
  const files = new Map<string, MemoryFile>()
  const dirs = new Map<string, { mtime: number }>([["", { mtime: Date.now() / 1000 }]])
  const locked = makeLocks()
  const now = () => Date.now() / 1000

  const fileInfo = (path: string, f: MemoryFile): FileInfo => ({
    name: baseName(path),
    path,
    size: f.length,
    mtime: f.mtime,
    atime: f.atime,
    ctime: f.ctime,
    isDirectory: false
  })
  const dirInfo = (path: string): FileInfo => {
    const t = dirs.get(path)?.mtime ?? now()
    return { name: baseName(path), path, size: 0, mtime: t, atime: t, ctime: t, isDirectory: true }
  }

  const mkdirs = (path: string, dir: string): Effect.Effect<void, StorageError> =>
    Effect.suspend(() => {
      const missing: Array<string> = []
      for (let d = dir; d !== "" && !dirs.has(d); d = parentOf(d)) {
        if (files.has(d)) return Effect.fail(new StorageError({ reason: "Io", path, message: `not a directory: ${d}` }))
        missing.push(d)
      }
      for (const d of missing) dirs.set(d, { mtime: now() })
      return Effect.void
    })

  const resolveFile = (path: string) =>
    Effect.flatMap(normalize(path), (p) =>
      p === "" || dirs.has(p) ?
        Effect.fail(badPath(path, "is a directory")) :
        Effect.succeed(p))

  const getFile = (path: string) =>
    Effect.flatMap(resolveFile(path), (p) => {
      const f = files.get(p)
      return f === undefined ?
        Effect.fail(new StorageError({ reason: "NotFound", path, message: `no such file: ${path}` })) :
        Effect.succeed([p, f] as const)
    })

  const ensureCapacity = (f: MemoryFile, size: number) => {
    if (f.data.length >= size) return
    const grown = new Uint8Array(Math.max(size, f.data.length * 2, 4096))
    grown.set(f.data.subarray(0, f.length))
    f.data = grown
  }

  const setLength = (f: MemoryFile, size: number) => {
    ensureCapacity(f, size)
    if (size < f.length) f.data.fill(0, size, f.length)
    f.length = size
  }

  // open a file for an upload chunk: its record (made when missing) and the offset to write at
  const openChunk = (path: string, offset: number, overwrite: boolean) =>
    Effect.gen(function*() {
      yield* checkOffset(path, offset)
      const p = yield* resolveFile(path)
      yield* mkdirs(path, parentOf(p))
      let f = files.get(p)
      if (f !== undefined && offset === 0 && !overwrite) {
        return yield* new StorageError({ reason: "Exists", path, message: `upload path exists: ${path}` })
      }
      if (f === undefined) {
        const t = now()
        f = { data: new Uint8Array(0), length: 0, mtime: t, atime: t, ctime: t }
        files.set(p, f)
      }
      const at = offset === -1 ? f.length : offset
      setLength(f, at)
      f.mtime = now()
      return [p, f, at] as const
    })

  const append = (f: MemoryFile, data: Uint8Array) => {
    ensureCapacity(f, f.length + data.length)
    f.data.set(data, f.length)
    f.length += data.length
    f.mtime = now()
  }

  const store: FileStore.Service = {
    localRoot: undefined,
    stat: (path) =>
      Effect.map(normalize(path), (p) => {
        if (dirs.has(p)) return dirInfo(p)
        const f = files.get(p)
        return f === undefined ? undefined : fileInfo(p, f)
      }),
    list: (dir) =>
      Effect.map(normalize(dir), (d) => {
        const out: Array<FileInfo> = []
        if (!dirs.has(d)) return out
        for (const [p, f] of files) if (p !== d && parentOf(p) === d) out.push(fileInfo(p, f))
        for (const p of dirs.keys()) if (p !== "" && p !== d && parentOf(p) === d) out.push(dirInfo(p))
        return out.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      }),
    walk: (dir) =>
      Effect.map(normalize(dir), (d) => {
        const prefix = d === "" ? "" : `${d}/`
        return [...files.keys()].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)).sort()
      }),
    read: (path, options) =>
      Effect.map(getFile(path), ([, f]) => {
        const [start, end] = readRange(f.length, options?.offset, options?.size)
        f.atime = now()
        return f.data.slice(start, end)
      }),
    stream: (path, options) =>
      Stream.unwrap(Effect.map(getFile(path), ([, f]) => {
        const start = Math.max(0, Math.min(options?.start ?? 0, f.length))
        const end = Math.max(start, Math.min(options?.end ?? f.length, f.length))
        const bytes = f.data.slice(start, end)
        const pieces: Array<Uint8Array> = []
        for (let i = 0; i < bytes.length; i += 65536) pieces.push(bytes.subarray(i, i + 65536))
        return Stream.fromIterable(pieces)
      })),
    writeChunk: (path, offset, data, options) =>
      locked(
        path,
        Effect.map(openChunk(path, offset, options?.overwrite === true), ([, f]) => {
          append(f, data)
          return { size: f.length }
        })
      ),
    writeStream: (path, offset, data, options) =>
      locked(
        path,
        Effect.flatMap(openChunk(path, offset, options?.overwrite === true), ([, f, at]) =>
          data.pipe(
            Stream.runForEach((piece) => Effect.sync(() => append(f, piece))),
            Effect.map(() => ({ offset: at, size: f.length }))
          ))
      ),
    writeFile: (path, data) =>
      Effect.gen(function*() {
        const p = yield* resolveFile(path)
        yield* mkdirs(path, parentOf(p))
        const t = now()
        files.set(p, { data: data.slice(), length: data.length, mtime: t, atime: t, ctime: t })
      }),
    truncate: (path, size) =>
      Effect.flatMap(getFile(path), ([, f]) =>
        Number.isSafeInteger(size) && size >= 0 ?
          Effect.sync(() => {
            setLength(f, size)
            f.mtime = now()
          }) :
          Effect.fail(badPath(path, `invalid size: ${size}`))),
    move: (from, to) =>
      Effect.gen(function*() {
        const src = yield* normalize(from)
        const dst = yield* normalize(to)
        if (src === "" || dst === "") return yield* badPath(src === "" ? from : to, "the topdir itself")
        if (files.has(dst) || dirs.has(dst)) {
          return yield* new StorageError({ reason: "Exists", path: to, message: `destination exists: ${to}` })
        }
        if (dst.startsWith(`${src}/`)) return yield* badPath(to, "cannot move a directory into itself")
        const f = files.get(src)
        if (f !== undefined) {
          yield* mkdirs(to, parentOf(dst))
          files.delete(src)
          files.set(dst, f)
          return
        }
        if (!dirs.has(src)) {
          return yield* new StorageError({ reason: "NotFound", path: from, message: `no such file: ${from}` })
        }
        yield* mkdirs(to, parentOf(dst))
        const rename = (p: string) => dst + p.slice(src.length)
        for (const [p, file] of [...files]) {
          if (p.startsWith(`${src}/`)) {
            files.delete(p)
            files.set(rename(p), file)
          }
        }
        for (const [p, d] of [...dirs]) {
          if (p === src || p.startsWith(`${src}/`)) {
            dirs.delete(p)
            dirs.set(rename(p), d)
          }
        }
      }),
    link: (from, to) =>
      Effect.gen(function*() {
        const [, f] = yield* getFile(from)
        const dst = yield* resolveFile(to)
        if (files.has(dst)) return yield* new StorageError({ reason: "Exists", path: to, message: `destination exists: ${to}` })
        yield* mkdirs(to, parentOf(dst))
        files.set(dst, f)
      }),
    copy: (from, to) =>
      Effect.gen(function*() {
        const [, f] = yield* getFile(from)
        const dst = yield* resolveFile(to)
        if (files.has(dst)) return yield* new StorageError({ reason: "Exists", path: to, message: `destination exists: ${to}` })
        yield* mkdirs(to, parentOf(dst))
        const t = now()
        files.set(dst, { data: f.data.slice(0, f.length), length: f.length, mtime: t, atime: t, ctime: t })
      }),
    makeDirectory: (dir) => Effect.flatMap(normalize(dir), (d) => mkdirs(dir, d)),
    remove: (path) =>
      Effect.flatMap(normalize(path), (p) => {
        if (p === "") return Effect.fail(badPath(path, "cannot remove the topdir"))
        return Effect.sync(() => {
          files.delete(p)
          for (const k of [...files.keys()]) if (k.startsWith(`${p}/`)) files.delete(k)
          for (const k of [...dirs.keys()]) if (k === p || k.startsWith(`${p}/`)) dirs.delete(k)
        })
      }),
    checksum: (path, type, options) =>
      Effect.map(getFile(path), ([, f]) => {
        const tail = options?.tail
        const start = tail === undefined || tail < 0 ? 0 : Math.max(0, f.length - tail)
        return Checksum.digest(type, f.data.subarray(start, f.length))
      })
  }
  return store
})

// ---------------------------------------------------------------------------------------------
// local disk

const ioError = (path: string, cause: unknown): StorageError => {
  const code = (cause as { code?: unknown } | undefined)?.code
  const message = cause instanceof Error ? cause.message : String(cause)
  switch (code) {
    case "ENOENT":
      return new StorageError({ reason: "NotFound", path, message: `no such file: ${path}` })
    case "EEXIST":
    case "ENOTEMPTY":
      return new StorageError({ reason: "Exists", path, message: `destination exists: ${path}` })
    case "ELOOP":
    case "EISDIR":
      return badPath(path, message)
    case "EFBIG":
    case "ENOSPC":
      return new StorageError({ reason: "TooLarge", path, message })
    default:
      return new StorageError({ reason: "Io", path, message })
  }
}

const isMissing = (cause: unknown) => {
  const code = (cause as { code?: unknown } | undefined)?.code
  return code === "ENOENT" || code === "ENOTDIR"
}

const io = <A>(path: string, f: () => Promise<A>): Effect.Effect<A, StorageError> =>
  Effect.tryPromise({ try: f, catch: (cause) => ioError(path, cause) })

const toInfo = (path: string, st: { size: number; mtimeMs: number; atimeMs: number; ctimeMs: number; isDirectory(): boolean }): FileInfo => ({
  name: baseName(path),
  path,
  size: st.size,
  mtime: st.mtimeMs / 1000,
  atime: st.atimeMs / 1000,
  ctime: st.ctimeMs / 1000,
  isDirectory: st.isDirectory()
})

const READ_PIECE = 256 * 1024
const WRITE_BATCH = 1024 * 1024
const WRITE_AHEAD = 4 * 1024 * 1024

// all of `pieces` (`total` bytes) at `position`, again from where a short write stopped
const writeAll = async (handle: fs.FileHandle, pieces: Array<Uint8Array>, total: number, position: number) => {
  let written = (await handle.writev(pieces, position)).bytesWritten
  if (written < total) {
    const all = Buffer.concat(pieces)
    while (written < total) {
      written += (await handle.write(all, written, total - written, position + written)).bytesWritten
    }
  }
}

/**
 * A file store on a local directory (made when missing). Symlinks are followed only while they
 * stay inside it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeLocal = (root: string): Effect.Effect<FileStore.Service, StorageError> =>
  Effect.gen(function*() {
    const absolute = NodePath.resolve(root)
    yield* io(absolute, () => fs.mkdir(absolute, { recursive: true }))
    const top = yield* io(absolute, () => fs.realpath(absolute))
    const inside = (real: string) => real === top || real.startsWith(top.endsWith("/") ? top : `${top}/`)
    const locked = makeLocks()

    // the absolute path of a topdir-relative one, refusing any symlink on the way that leads out
    const resolve = (path: string) =>
      Effect.flatMap(normalize(path), (rel) =>
        io(path, async () => {
          const full = rel === "" ? top : NodePath.join(top, rel)
          for (let p = full; ; p = NodePath.dirname(p)) {
            try {
              const real = await fs.realpath(p)
              if (!inside(real)) throw Object.assign(new Error(`path leaves the topdir: ${path}`), { code: "ESCAPE" })
              break
            } catch (e) {
              if (!isMissing(e) || p === top) throw e
            }
          }
          return { rel, full }
        }).pipe(
          Effect.mapError((e) => e.message.startsWith("path leaves the topdir") ? badPath(path, e.message) : e)
        ))

    // a path where a file may be written: not the topdir, not a directory or symlink; parents made
    const resolveWritable = (path: string) =>
      Effect.flatMap(resolve(path), ({ full, rel }) =>
        rel === "" ?
          Effect.fail(badPath(path, "the topdir itself")) :
          io(path, async () => {
            try {
              const st = await fs.lstat(full)
              if (st.isSymbolicLink()) throw Object.assign(new Error(`destination is a symlink: ${path}`), { code: "ELOOP" })
              if (!st.isFile()) throw Object.assign(new Error(`destination not a file: ${path}`), { code: "EISDIR" })
              return { full, exists: true }
            } catch (e) {
              if (!isMissing(e)) throw e
              await fs.mkdir(NodePath.dirname(full), { recursive: true })
              return { full, exists: false }
            }
          }))

    const fileSize = (path: string, full: string) =>
      io(path, async () => {
        const st = await fs.stat(full)
        if (st.isDirectory()) throw Object.assign(new Error(`is a directory: ${path}`), { code: "EISDIR" })
        return st.size
      })

    // the file opened for an upload chunk, positioned per Koji's rules
    const openChunk = (path: string, offset: number, overwrite: boolean) =>
      Effect.gen(function*() {
        yield* checkOffset(path, offset)
        const { exists, full } = yield* resolveWritable(path)
        if (exists && offset === 0 && !overwrite) {
          return yield* new StorageError({ reason: "Exists", path, message: `upload path exists: ${path}` })
        }
        return yield* Effect.acquireRelease(
          io(path, async () => {
            const handle = await fs.open(full, fsConstants.O_RDWR | fsConstants.O_CREAT, 0o666)
            try {
              const { size } = await handle.stat()
              const at = offset === -1 ? size : offset
              if (at !== size) await handle.truncate(at)
              return { handle, at }
            } catch (e) {
              await handle.close()
              throw e
            }
          }),
          ({ handle }) => Effect.promise(() => handle.close())
        )
      })

    const store: FileStore.Service = {
      localRoot: top,
      stat: (path) =>
        Effect.flatMap(resolve(path), ({ full, rel }) =>
          io(path, async () => {
            try {
              return toInfo(rel, await fs.stat(full))
            } catch (e) {
              if (isMissing(e)) return undefined
              throw e
            }
          })),
      list: (dir) =>
        Effect.flatMap(resolve(dir), ({ full, rel }) =>
          io(dir, async () => {
            let names: Array<string>
            try {
              names = await fs.readdir(full)
            } catch (e) {
              if (isMissing(e)) return []
              throw e
            }
            const out: Array<FileInfo> = []
            for (const name of names.sort()) {
              const p = rel === "" ? name : `${rel}/${name}`
              const entry = NodePath.join(full, name)
              try {
                const real = await fs.realpath(entry)
                if (!inside(real)) continue
                out.push(toInfo(p, await fs.stat(entry)))
              } catch {
                // vanished or a dangling link
              }
            }
            return out
          })),
      walk: (dir) =>
        Effect.flatMap(resolve(dir), ({ full }) =>
          io(dir, async () => {
            const out: Array<string> = []
            const visit = async (abs: string, prefix: string) => {
              let entries
              try {
                entries = await fs.readdir(abs, { withFileTypes: true })
              } catch (e) {
                if (isMissing(e)) return
                throw e
              }
              for (const entry of entries) {
                const rel = prefix === "" ? entry.name : `${prefix}/${entry.name}`
                if (entry.isDirectory()) await visit(NodePath.join(abs, entry.name), rel)
                else if (entry.isFile()) out.push(rel)
              }
            }
            await visit(full, "")
            return out.sort()
          })),
      read: (path, options) =>
        Effect.flatMap(resolve(path), ({ full }) =>
          io(path, async () => {
            const handle = await fs.open(full, "r")
            try {
              const st = await handle.stat()
              if (st.isDirectory()) throw Object.assign(new Error(`is a directory: ${path}`), { code: "EISDIR" })
              const [start, end] = readRange(st.size, options?.offset, options?.size)
              const out = new Uint8Array(end - start)
              let done = 0
              while (done < out.length) {
                const { bytesRead } = await handle.read(out, done, out.length - done, start + done)
                if (bytesRead === 0) break
                done += bytesRead
              }
              return done === out.length ? out : out.subarray(0, done)
            } finally {
              await handle.close()
            }
          })),
      stream: (path, options) =>
        Stream.unwrap(Effect.gen(function*() {
          const { full } = yield* resolve(path)
          const size = yield* fileSize(path, full)
          const start = Math.max(0, Math.min(options?.start ?? 0, size))
          const end = Math.max(start, Math.min(options?.end ?? size, size))
          if (end === start) return Stream.empty
          return Stream.fromAsyncIterable(
            createReadStream(full, { start, end: end - 1, highWaterMark: READ_PIECE }) as AsyncIterable<Uint8Array>,
            (cause) => ioError(path, cause)
          )
        })),
      writeChunk: (path, offset, data, options) =>
        locked(
          path,
          Effect.scoped(Effect.flatMap(openChunk(path, offset, options?.overwrite === true), ({ at, handle }) =>
            io(path, async () => {
              let done = 0
              while (done < data.length) {
                const { bytesWritten } = await handle.write(data, done, data.length - done, at + done)
                done += bytesWritten
              }
              return { size: at + data.length }
            })))
        ),
      writeStream: (path, offset, data, options) =>
        locked(
          path,
          Effect.scoped(Effect.flatMap(openChunk(path, offset, options?.overwrite === true), ({ at, handle }) => {
            // pieces are gathered into writes of WRITE_BATCH bytes, each issued at once (at its
            // own position) while the next pieces arrive; at most WRITE_AHEAD bytes wait for the disk
            let position = at
            let pending: Array<Uint8Array> = []
            let pendingBytes = 0
            let writes: Array<Promise<void>> = []
            let unwritten = 0
            const start = () => {
              if (pendingBytes === 0) return
              const total = pendingBytes
              const write = writeAll(handle, pending, total, position).then(() => {
                unwritten -= total
              })
              // a failure is answered by `settle` below, not as an unhandled rejection
              write.catch(() => {})
              writes.push(write)
              pending = []
              pendingBytes = 0
              position += total
              unwritten += total
            }
            const wait = io(path, () => {
              const started = writes
              writes = []
              return Promise.all(started)
            })
            const settle = Effect.suspend(() => {
              start()
              return wait
            })
            return data.pipe(
              Stream.runForEach((piece) => {
                pending.push(piece)
                pendingBytes += piece.length
                if (pendingBytes < WRITE_BATCH) return Effect.void
                start()
                return unwritten > WRITE_AHEAD ? wait : Effect.void
              }),
              Effect.zipRight(settle),
              // what arrived before a failure or an interruption is kept (the client resumes after it)
              Effect.onExit((exit) => exit._tag === "Failure" ? Effect.ignore(settle) : Effect.void),
              Effect.map(() => ({ offset: at, size: position }))
            )
          }))
        ),
      writeFile: (path, data) =>
        Effect.flatMap(resolveWritable(path), ({ full }) =>
          io(path, async () => {
            const temp = NodePath.join(
              NodePath.dirname(full),
              `.${NodePath.basename(full)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`
            )
            try {
              await fs.writeFile(temp, data, { flag: "wx" })
              await fs.rename(temp, full)
            } catch (e) {
              await fs.rm(temp, { force: true })
              throw e
            }
          })),
      truncate: (path, size) =>
        Number.isSafeInteger(size) && size >= 0 ?
          Effect.flatMap(resolve(path), ({ full }) =>
            Effect.zipRight(fileSize(path, full), io(path, () => fs.truncate(full, size)))) :
          Effect.fail(badPath(path, `invalid size: ${size}`)),
      move: (from, to) =>
        Effect.gen(function*() {
          const src = yield* resolve(from)
          const dst = yield* resolve(to)
          if (src.rel === "" || dst.rel === "") return yield* badPath(src.rel === "" ? from : to, "the topdir itself")
          if (dst.rel.startsWith(`${src.rel}/`)) return yield* badPath(to, "cannot move a directory into itself")
          yield* io(from, () => fs.lstat(src.full))
          yield* io(to, async () => {
            try {
              await fs.lstat(dst.full)
            } catch (e) {
              if (isMissing(e)) {
                await fs.mkdir(NodePath.dirname(dst.full), { recursive: true })
                return
              }
              throw e
            }
            throw Object.assign(new Error(`destination exists: ${to}`), { code: "EEXIST" })
          })
          yield* io(to, () => fs.rename(src.full, dst.full))
        }),
      link: (from, to) =>
        Effect.gen(function*() {
          const src = yield* resolve(from)
          yield* fileSize(from, src.full)
          const dst = yield* resolveWritable(to)
          yield* io(to, () =>
            fs.link(src.full, dst.full).catch((e: NodeJS.ErrnoException) =>
              e.code === "EXDEV" ? fs.copyFile(src.full, dst.full, fsConstants.COPYFILE_EXCL) : Promise.reject(e)
            ))
        }),
      copy: (from, to) =>
        Effect.gen(function*() {
          const src = yield* resolve(from)
          yield* fileSize(from, src.full)
          const dst = yield* resolveWritable(to)
          yield* io(to, () => fs.copyFile(src.full, dst.full, fsConstants.COPYFILE_EXCL))
        }),
      makeDirectory: (dir) =>
        Effect.flatMap(resolve(dir), ({ full }) => io(dir, () => fs.mkdir(full, { recursive: true }).then(() => undefined))),
      remove: (path) =>
        Effect.flatMap(resolve(path), ({ full, rel }) =>
          rel === "" ?
            Effect.fail(badPath(path, "cannot remove the topdir")) :
            io(path, () => fs.rm(full, { recursive: true, force: true }))),
      checksum: (path, type, options) =>
        Effect.gen(function*() {
          const { full } = yield* resolve(path)
          const size = yield* fileSize(path, full)
          const tail = options?.tail
          const start = tail === undefined || tail < 0 ? 0 : Math.max(0, size - tail)
          const hasher = Checksum.make(type)
          if (start >= size) return hasher.digest()
          return yield* io(path, async () => {
            for await (const piece of createReadStream(full, { start, highWaterMark: READ_PIECE })) {
              hasher.update(piece as Uint8Array)
            }
            return hasher.digest()
          })
        })
    }
    return store
  })

/**
 * A file store in memory.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<FileStore> = Layer.effect(FileStore, makeMemory)

/**
 * A file store on a local directory (the topdir).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerLocal = (root: string): Layer.Layer<FileStore, StorageError> => Layer.effect(FileStore, makeLocal(root))

/**
 * The topdir from settings: `KOJI_TOPDIR`, else `<KOJI_HOME>/topdir` (`KOJI_HOME` defaults to `./.koji`).
 *
 * @since 0.1.0
 * @category Config
 */
export const topdir: Config.Config<string> = Config.string("KOJI_TOPDIR").pipe(
  Config.orElse(() =>
    Config.string("KOJI_HOME").pipe(
      Config.withDefault("./.koji"),
      Config.map((home) => NodePath.join(home, "topdir"))
    )
  ),
  Config.withDescription("the file store's directory (Koji's topdir)")
)

/**
 * A local file store at the configured `topdir`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<FileStore, StorageError | ConfigError.ConfigError> = Layer.unwrapEffect(
  Effect.map(topdir, layerLocal)
)
