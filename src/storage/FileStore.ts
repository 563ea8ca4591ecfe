/**
 * The hub's file store: Koji's topdir (`packages/`, `work/`, `scratch/`, `repos/`, ...)
 * behind one service, so the hub, the import path and `/kojifiles/` never touch the disk
 * directly. Paths are relative to the topdir, `/`-separated; none may leave it.
 *
 * Layers: a local directory (the default, `KOJI_HOME/topdir`) and memory (tests).
 *
 * @since 0.1.0
 */
import { Context, type Effect, Schema, type Stream } from "effect"

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
    /** Write a whole file atomically (a temporary name, then a rename). */
    readonly writeFile: (path: string, data: Uint8Array) => Effect.Effect<void, StorageError>
    /** Cut a file to `size` bytes. */
    readonly truncate: (path: string, size: number) => Effect.Effect<void, StorageError>
    /** Move a file or directory (parents made); `Exists` when the destination exists. */
    readonly move: (from: string, to: string) => Effect.Effect<void, StorageError>
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
