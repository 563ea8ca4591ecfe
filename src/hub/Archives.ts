/**
 * Archives, build types, RPM signatures and changelogs (reference 9): the `Archives`
 * service behind the read calls Koji's CLI makes around a build (`listArchives`,
 * `getArchive`, `listArchiveFiles`, `listBTypes`, `getMavenBuild`, `getWinBuild`,
 * `getImageBuild`, `getBuildType`, `queryRPMSigs`, `getChangelogEntries`).
 *
 * `listArchiveFiles` reads the archive in the store: a zip by its central directory, a
 * tar (plain, gzip, bzip2 or xz) header by header. `getChangelogEntries` reads the
 * changelog from the package's header (a build's SRPM, or an RPM in a task's work
 * directory). Times Koji renders in the hub's local time are rendered in UTC here.
 *
 * @since 0.1.0
 */
import { SqlClient, type SqlError, type Statement } from "@effect/sql"
import { Context, Effect, Layer } from "effect"
import * as ChildProcess from "node:child_process"
import { gunzipSync } from "node:zlib"
import type {
  Archive,
  ArchiveFile,
  BType,
  ChangelogEntry,
  ChangelogTime,
  ImageBuild,
  MavenBuild,
  RpmSig,
  WinBuild
} from "../api/Archives.js"
import type { BuildInfo } from "../api/Builds.js"
import * as Method from "../api/Method.js"
import type { RpmInfo } from "../api/Rpms.js"
import type { QueryOpts } from "../api/Users.js"
import type { Build } from "../domain/Build.js"
import { GenericError, type ParameterError } from "../domain/Errors.js"
import type { ArchiveId, RpmId } from "../domain/Ids.js"
import { FileStore } from "../storage/FileStore.js"
import * as Paths from "../storage/Paths.js"
import { parseExtra } from "./BuildRecords.js"
import { Builds, layer as buildsLayer } from "./Builds.js"
import { printable, readStoredHeader, shownPath, storedFileExists, taskFilePath } from "./StoredFiles.js"
import * as QueryOpts_ from "./QueryOpts.js"
import { layer as rpmsLayer, Rpms } from "./Rpms.js"

/**
 * Filters of `listArchives` (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface ListOptions {
  readonly buildID?: number | null | undefined
  readonly buildrootID?: number | null | undefined
  readonly componentBuildrootID?: number | null | undefined
  readonly hostID?: number | null | undefined
  readonly type?: string | null | undefined
  readonly filename?: string | null | undefined
  readonly size?: number | null | undefined
  readonly checksum?: string | null | undefined
  readonly checksum_type?: number | null | undefined
  readonly typeInfo?: Readonly<Record<string, unknown>> | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
  readonly imageID?: number | null | undefined
  readonly archiveID?: number | null | undefined
  readonly strict?: boolean | undefined
}

/**
 * What `getChangelogEntries` reads and keeps (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChangelogOptions {
  readonly buildID?: BuildInfo | null | undefined
  readonly taskID?: number | null | undefined
  readonly filepath?: string | null | undefined
  readonly author?: string | null | undefined
  readonly before?: ChangelogTime | null | undefined
  readonly after?: ChangelogTime | null | undefined
  readonly queryOpts?: QueryOpts | null | undefined
  readonly strict?: boolean | undefined
}

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class Archives extends Context.Tag("koji/hub/Archives")<Archives, {
  /** `listArchives`: the archives, or their number with `countOnly`. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<Archive> | number, Failure>
  /** `getArchive`: one archive with its maven/win/image fields; `undefined` (or an error when `strict`) when unknown. */
  readonly get: (archiveId: number, strict: boolean) => Effect.Effect<Archive | undefined, Failure>
  /** `listArchiveFiles`: the members of a zip or tar archive (none for other types unless `strict`). */
  readonly listFiles: (
    archiveId: number,
    queryOpts: QueryOpts | null | undefined,
    strict: boolean
  ) => Effect.Effect<ReadonlyArray<ArchiveFile> | number, Failure>
  /** `listBTypes`. */
  readonly listBTypes: (
    query: { readonly name?: string | undefined; readonly id?: number | undefined } | null | undefined,
    queryOpts: QueryOpts | null | undefined
  ) => Effect.Effect<ReadonlyArray<BType> | number, Failure>
  /** `getMavenBuild`. */
  readonly mavenBuild: (info: BuildInfo, strict: boolean) => Effect.Effect<MavenBuild | undefined, Failure>
  /** `getWinBuild`. */
  readonly winBuild: (info: BuildInfo, strict: boolean) => Effect.Effect<WinBuild | undefined, Failure>
  /** `getImageBuild`. */
  readonly imageBuild: (info: BuildInfo, strict: boolean) => Effect.Effect<ImageBuild | undefined, Failure>
  /** `getBuildType`: btype name to type info; `undefined` when the build is unknown (not strict). */
  readonly buildType: (
    info: BuildInfo,
    strict: boolean
  ) => Effect.Effect<Record<string, unknown> | undefined, Failure>
  /** `queryRPMSigs`. */
  readonly rpmSigs: (
    rpm: RpmInfo | null | undefined,
    sigkey: string | null | undefined,
    queryOpts: QueryOpts | null | undefined
  ) => Effect.Effect<ReadonlyArray<RpmSig> | number, Failure>
  /** `getChangelogEntries`. */
  readonly changelog: (options: ChangelogOptions) => Effect.Effect<ReadonlyArray<ChangelogEntry> | number, Failure>
}>() {}

// ---------------------------------------------------------------------------
// archive contents

const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8)
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16)) + b[at + 3]! * 0x1000000
const u64 = (b: Uint8Array, at: number) => u32(b, at) + u32(b, at + 4) * 0x100000000

const latin1 = new TextDecoder("latin1")
const utf8 = new TextDecoder("utf-8")

/**
 * The members of a zip file, from its central directory (zip64 too): `name`, uncompressed
 * `size` and `mtime` (the DOS time, read as UTC). `read(offset, size)` reads bytes of the
 * file, `fileSize` is its length. Not a zip: `GenericError`.
 *
 * @since 0.1.0
 * @category archives
 */
export const zipMembers = <E, R>(
  fileSize: number,
  read: (offset: number, size: number) => Effect.Effect<Uint8Array, E, R>
): Effect.Effect<Array<{ name: string; size: number; mtime: number }>, E | GenericError, R> =>
  Effect.gen(function*() {
    const bad = (why: string) => new GenericError({ message: `Bad zip file: ${why}` })
    const tailSize = Math.min(fileSize, 22 + 65535)
    const tail = yield* read(fileSize - tailSize, tailSize)
    let eocd = -1
    for (let i = tail.length - 22; i >= 0; i--) {
      if (tail[i] === 0x50 && tail[i + 1] === 0x4b && tail[i + 2] === 0x05 && tail[i + 3] === 0x06) {
        eocd = i
        break
      }
    }
    if (eocd < 0) return yield* bad("File is not a zip file")
    let count = u16(tail, eocd + 10)
    let cdSize = u32(tail, eocd + 12)
    let cdOffset = u32(tail, eocd + 16)
    if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
      // zip64: the locator sits just before the end record and points at the zip64 end record
      const locator = eocd - 20
      if (locator < 0 || u32(tail, locator) !== 0x07064b50) return yield* bad("zip64 locator missing")
      const record = yield* read(u64(tail, locator + 8), 56)
      if (u32(record, 0) !== 0x06064b50) return yield* bad("zip64 end record missing")
      count = u64(record, 32)
      cdSize = u64(record, 40)
      cdOffset = u64(record, 48)
    }
    if (cdOffset + cdSize > fileSize) return yield* bad("truncated central directory")
    const cd = yield* read(cdOffset, cdSize)
    const members: Array<{ name: string; size: number; mtime: number }> = []
    let at = 0
    for (let n = 0; n < count; n++) {
      if (at + 46 > cd.length || u32(cd, at) !== 0x02014b50) return yield* bad("bad central directory entry")
      const flags = u16(cd, at + 8)
      const time = u16(cd, at + 12)
      const date = u16(cd, at + 14)
      let size = u32(cd, at + 24)
      const nameLength = u16(cd, at + 28)
      const extraLength = u16(cd, at + 30)
      const commentLength = u16(cd, at + 32)
      const nameBytes = cd.subarray(at + 46, at + 46 + nameLength)
      const name = (flags & 0x800 ? utf8 : latin1).decode(nameBytes)
      if (size === 0xffffffff) {
        // the zip64 extra field holds the real uncompressed size first
        let e = at + 46 + nameLength
        const end = e + extraLength
        while (e + 4 <= end) {
          const id = u16(cd, e)
          const length = u16(cd, e + 2)
          if (id === 0x0001 && length >= 8) size = u64(cd, e + 4)
          e += 4 + length
        }
      }
      const mtime = Date.UTC(
        (date >> 9) + 1980,
        ((date >> 5) & 15) - 1,
        date & 31,
        time >> 11,
        (time >> 5) & 63,
        (time & 31) * 2
      ) / 1000
      members.push({ name, size, mtime })
      at += 46 + nameLength + extraLength + commentLength
    }
    return members
  })

const text = (b: Uint8Array, from: number, length: number) => {
  const field = b.subarray(from, from + length)
  const nul = field.indexOf(0)
  return utf8.decode(nul < 0 ? field : field.subarray(0, nul))
}

// a tar number: octal text, or GNU's base-256 (high bit of the first byte set)
const tarNumber = (b: Uint8Array, from: number, length: number): number => {
  if (b[from]! & 0x80) {
    let n = b[from]! & 0x7f
    for (let i = 1; i < length; i++) n = n * 256 + b[from + i]!
    return n
  }
  const digits = text(b, from, length).trim()
  return digits === "" ? 0 : parseInt(digits, 8)
}

/**
 * The members of an (uncompressed) tar stream, as Python's `tarfile` lists them: GNU long
 * names and pax headers applied to the member they describe, directories without their
 * trailing slash.
 *
 * @since 0.1.0
 * @category archives
 */
export const tarMembers = (
  bytes: Uint8Array
): Array<{ name: string; size: number; mtime: number; mode: number; user: string; group: string }> => {
  const members: Array<{ name: string; size: number; mtime: number; mode: number; user: string; group: string }> = []
  let longName: string | undefined
  let pax: Record<string, string> = {}
  let at = 0
  while (at + 512 <= bytes.length) {
    const block = bytes.subarray(at, at + 512)
    if (block.every((x) => x === 0)) break
    const size = tarNumber(block, 124, 12)
    const type = String.fromCharCode(block[156]!)
    const data = bytes.subarray(at + 512, at + 512 + size)
    at += 512 + Math.ceil(size / 512) * 512
    if (type === "L") {
      longName = text(data, 0, data.length)
      continue
    }
    if (type === "K") continue
    if (type === "x") {
      // pax records: "<length> <key>=<value>\n"
      const records = utf8.decode(data)
      let i = 0
      while (i < records.length) {
        const space = records.indexOf(" ", i)
        if (space < 0) break
        const length = parseInt(records.slice(i, space), 10)
        if (!(length > 0)) break
        const record = records.slice(space + 1, i + length - 1)
        const eq = record.indexOf("=")
        if (eq > 0) pax[record.slice(0, eq)] = record.slice(eq + 1)
        i += length
      }
      continue
    }
    if (type === "g") continue
    const magic = text(block, 257, 6)
    const prefix = magic.startsWith("ustar") ? text(block, 345, 155) : ""
    let name = pax["path"] ?? longName ?? (prefix ? `${prefix}/${text(block, 0, 100)}` : text(block, 0, 100))
    const isDirectory = type === "5" || ((type === "0" || type === "\0") && name.endsWith("/"))
    if (isDirectory) name = name.replace(/\/+$/, "")
    members.push({
      name,
      size: pax["size"] !== undefined ? Number(pax["size"]) : isDirectory ? 0 : size,
      mtime: pax["mtime"] !== undefined ? Number(pax["mtime"]) : tarNumber(block, 136, 12),
      mode: tarNumber(block, 100, 8),
      user: pax["uname"] ?? text(block, 265, 32),
      group: pax["gname"] ?? text(block, 297, 32)
    })
    longName = undefined
    pax = {}
  }
  return members
}

// a whole compressed tar, uncompressed: gzip in process, bzip2 and xz with their tools
const untar = (bytes: Uint8Array): Effect.Effect<Uint8Array, GenericError> =>
  Effect.try({
    try: () => {
      if (bytes[0] === 0x1f && bytes[1] === 0x8b) return new Uint8Array(gunzipSync(bytes))
      const tool = bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68
        ? "bzip2"
        : bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58
        ? "xz"
        : undefined
      if (tool === undefined) return bytes
      return new Uint8Array(ChildProcess.execFileSync(tool, ["-dc"], { input: bytes, maxBuffer: 1 << 30 }))
    },
    catch: (e) => new GenericError({ message: `Cannot read tar file: ${e instanceof Error ? e.message : String(e)}` })
  })

// ---------------------------------------------------------------------------
// the service

interface ArchiveRow {
  readonly [key: string]: unknown
  readonly id: number
  readonly size: number | string
  readonly extra: string | null
}

// Koji's field order; the type-specific fields follow
const baseFields: ReadonlyArray<readonly [string, string]> = [
  ["id", "archiveinfo.id"],
  ["type_id", "archiveinfo.type_id"],
  ["btype_id", "archiveinfo.btype_id"],
  ["btype", "btype.name"],
  ["build_id", "archiveinfo.build_id"],
  ["buildroot_id", "archiveinfo.buildroot_id"],
  ["filename", "archiveinfo.filename"],
  ["size", "archiveinfo.size"],
  ["checksum", "archiveinfo.checksum"],
  ["checksum_type", "archiveinfo.checksum_type"],
  ["metadata_only", "archiveinfo.metadata_only"],
  ["extra", "archiveinfo.extra"],
  ["type_name", "archivetypes.name"],
  ["type_description", "archivetypes.description"],
  ["type_extensions", "archivetypes.extensions"],
  ["compression_type", "archivetypes.compression_type"]
]

const toArchive = (row: ArchiveRow, fieldNames: ReadonlyArray<string>): Archive => {
  const archive: Record<string, unknown> = {}
  for (const name of fieldNames) archive[name] = row[name]
  archive["size"] = Number(row.size)
  archive["extra"] = parseExtra(row.extra)
  return archive as unknown as Archive
}

const changelogFields = ["date", "date_ts", "author", "text"]
const archiveFileFields = ["archive_id", "name", "size", "mtime", "mode", "user", "group"]

const pad = (n: number) => String(n).padStart(2, "0")
const formatDate = (seconds: number) => {
  const d = new Date(seconds * 1000)
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`
}

// Koji's koji.util.parseTime: "YYYY-MM-DD[ HH:MM:SS]" as UTC; undefined when no date is found
const parseTime = (value: string): number | undefined => {
  const date = /(\d+)-(\d+)-(\d+)/.exec(value)
  if (date === null) return undefined
  const time = /(\d+):(\d+):(\d+)/.exec(value.slice(date.index + date[0].length).trim())
  const [h, m, s] = time === null ? [0, 0, 0] : [Number(time[1]), Number(time[2]), Number(time[3])]
  const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]), h, m, s)
  return Number.isNaN(ms) ? undefined : ms / 1000
}

const timeBound = (name: string, value: ChangelogTime | null | undefined) =>
  Effect.suspend((): Effect.Effect<number | undefined, GenericError> => {
    if (value === null || value === undefined || value === 0 || value === "") return Effect.succeed(undefined)
    if (value instanceof Date) return Effect.succeed(Math.floor(value.getTime() / 1000))
    if (typeof value === "string") return Effect.succeed(parseTime(value))
    if (!Number.isInteger(value)) {
      return Effect.fail(new GenericError({ message: `Invalid type for ${name}: <class 'float'>` }))
    }
    return Effect.succeed(value)
  })

/**
 * The service on Koji's tables and the file store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const store = yield* FileStore
  const builds = yield* Builds
  const rpms = yield* Rpms

  const storeError = (e: { readonly message: string }) => new GenericError({ message: e.message })

  const list = (options: ListOptions) =>
    Effect.gen(function*() {
      const fields: Array<readonly [string, string]> = [...baseFields]
      const joins: Array<string> = [
        "JOIN archivetypes ON archiveinfo.type_id = archivetypes.id",
        "JOIN btype ON archiveinfo.btype_id = btype.id"
      ]
      const clauses: Array<Statement.Fragment> = []
      const given = <A>(value: A | null | undefined): value is A => value !== null && value !== undefined
      if (given(options.buildID)) clauses.push(sql`archiveinfo.build_id = ${options.buildID}`)
      if (given(options.buildrootID)) clauses.push(sql`archiveinfo.buildroot_id = ${options.buildrootID}`)
      if (given(options.componentBuildrootID)) {
        joins.push("JOIN buildroot_archives ON archiveinfo.id = buildroot_archives.archive_id")
        clauses.push(sql`buildroot_archives.buildroot_id = ${options.componentBuildrootID}`)
        fields.push(["component_buildroot_id", "buildroot_archives.buildroot_id"])
        fields.push(["project", "buildroot_archives.project_dep"])
      }
      if (given(options.imageID)) {
        joins.push("JOIN archive_components ON archiveinfo.id = archive_components.component_id")
        clauses.push(sql`archive_components.archive_id = ${options.imageID}`)
      }
      if (given(options.hostID)) {
        joins.push("JOIN standard_buildroot ON archiveinfo.buildroot_id = standard_buildroot.buildroot_id")
        clauses.push(sql`standard_buildroot.host_id = ${options.hostID}`)
        fields.push(["host_id", "standard_buildroot.host_id"])
      }
      if (given(options.filename)) clauses.push(sql`archiveinfo.filename = ${options.filename}`)
      if (given(options.size)) clauses.push(sql`archiveinfo.size = ${options.size}`)
      if (given(options.checksum)) clauses.push(sql`archiveinfo.checksum = ${options.checksum}`)
      if (given(options.checksum_type)) clauses.push(sql`archiveinfo.checksum_type = ${options.checksum_type}`)
      if (given(options.archiveID)) clauses.push(sql`archiveinfo.id = ${options.archiveID}`)
      const typeInfo = options.typeInfo && Object.keys(options.typeInfo).length > 0 ? options.typeInfo : undefined
      const asText = (value: unknown) => typeof value === "string" ? value : String(value)
      const type = options.type
      if (!given(type)) {
        // every archive
      } else if (type === "maven") {
        joins.push("JOIN maven_archives ON archiveinfo.id = maven_archives.archive_id")
        fields.push(["group_id", "maven_archives.group_id"])
        fields.push(["artifact_id", "maven_archives.artifact_id"])
        fields.push(["version", "maven_archives.version"])
        for (const key of ["group_id", "artifact_id", "version"]) {
          if (typeInfo && Object.hasOwn(typeInfo, key)) {
            clauses.push(sql`${sql.literal(`maven_archives.${key}`)} = ${asText(typeInfo[key])}`)
          }
        }
      } else if (type === "win") {
        joins.push("JOIN win_archives ON archiveinfo.id = win_archives.archive_id")
        fields.push(["relpath", "win_archives.relpath"])
        fields.push(["platforms", "win_archives.platforms"])
        fields.push(["flags", "win_archives.flags"])
        if (typeInfo && Object.hasOwn(typeInfo, "relpath")) {
          clauses.push(sql`win_archives.relpath = ${asText(typeInfo["relpath"])}`)
        }
        for (const key of ["platforms", "flags"]) {
          if (!typeInfo || !Object.hasOwn(typeInfo, key)) continue
          const value = typeInfo[key]
          for (const word of Array.isArray(value) ? value : [value]) {
            // whole words of the space separated list (PostgreSQL's \m and \M)
            clauses.push(sql`${sql.literal(`win_archives.${key}`)} ~ ${`\\m${asText(word)}\\M`}`)
          }
        }
      } else if (type === "image") {
        joins.push("JOIN image_archives ON archiveinfo.id = image_archives.archive_id")
        fields.push(["arch", "image_archives.arch"])
        if (typeInfo && typeInfo["arch"]) clauses.push(sql`image_archives.arch = ${asText(typeInfo["arch"])}`)
      } else {
        const [btype] = yield* sql<{ id: number; name: string }>`SELECT id, name FROM btype WHERE name = ${type}`
        if (btype === undefined) return yield* new GenericError({ message: `unsupported archive type: ${type}` })
        if (typeInfo) {
          return yield* new GenericError({ message: `typeInfo queries not supported for type ${btype.name}` })
        }
        clauses.push(sql`archiveinfo.btype_id = ${btype.id}`)
      }
      const columns = fields.map(([alias, column]) => `${column} AS ${alias}`).join(", ")
      const from = sql.literal(`archiveinfo ${joins.join(" ")}`)
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const rows = yield* QueryOpts_.run(sql, options.queryOpts, {
        columns: Object.fromEntries(fields),
        tiebreak: "archiveinfo.id",
        from: sql`SELECT 1 FROM ${from} WHERE ${where}`,
        select: (order, window) =>
          sql<ArchiveRow>`SELECT ${sql.literal(columns)} FROM ${from} WHERE ${where} ORDER BY ${order} ${window}`
      })
      if (typeof rows === "number") return rows
      if (options.strict && rows.length === 0) return yield* new GenericError({ message: "No archives found." })
      const names = fields.map(([alias]) => alias)
      return rows.map((row) =>
        toArchive(row, names)
      )
    })

  const get = (archiveId: number, strict: boolean) =>
    Effect.gen(function*() {
      const found = yield* list({ archiveID: archiveId })
      const archive = typeof found === "number" ? undefined : found[0]
      if (archive === undefined) {
        if (strict) return yield* new GenericError({ message: `No such archive: ${archiveId}` })
        return undefined
      }
      const [maven] = yield* sql<{ group_id: string; artifact_id: string; version: string }>`
        SELECT group_id, artifact_id, version FROM maven_archives WHERE archive_id = ${archiveId}`
      const [win] = yield* sql<{ relpath: string; platforms: string; flags: string | null }>`
        SELECT relpath, platforms, flags FROM win_archives WHERE archive_id = ${archiveId}`
      const [image] = yield* sql<{ arch: string }>`SELECT arch FROM image_archives WHERE archive_id = ${archiveId}`
      let result: Archive = archive
      if (maven !== undefined) result = { ...result, ...maven }
      if (win !== undefined) result = { ...result, ...win }
      if (image !== undefined) {
        const [component] = yield* sql<{ rpm_id: number }>`
          SELECT rpm_id FROM archive_rpm_components WHERE archive_id = ${archiveId} LIMIT 1`
        result = { ...result, arch: image.arch, rootid: component !== undefined }
      }
      return result
    })

  // where an archive's file lives (Koji's pathinfo.mavenbuild/winbuild/imagebuild/typedir)
  const archivePath = (build: Build, archive: Archive) => {
    const dir = Paths.build(build, build.volume_name)
    switch (archive.btype) {
      case "maven":
        return `${dir}/maven/${archive.group_id!.replaceAll(".", "/")}/${archive.artifact_id}/${archive.version}/${archive.filename}`
      case "win":
        return `${dir}/win/${archive.relpath ? `${archive.relpath}/` : ""}${archive.filename}`
      case "image":
        return `${dir}/images/${archive.filename}`
      default:
        return `${dir}/files/${archive.btype}/${archive.filename}`
    }
  }

  const listFiles = (archiveId: number, queryOpts: QueryOpts | null | undefined, strict: boolean) =>
    Effect.gen(function*() {
      const archive = (yield* get(archiveId, true))!
      const build = yield* builds.require(archive.build_id)
      if (archive.btype === "maven" && archive.group_id === undefined) {
        return yield* new GenericError({ message: "query returned no rows" })
      }
      const path = archivePath(build, archive)
      const kind = archive.compression_type
      if (kind !== "zip" && kind !== "tar") {
        if (strict) return yield* new GenericError({ message: `Unsupported archive type: ${archive.type_name}` })
        return yield* QueryOpts_.inMemory([], queryOpts, archiveFileFields)
      }
      const info = yield* Effect.mapError(store.stat(path), storeError)
      if (info === undefined || info.isDirectory) return yield* QueryOpts_.inMemory([], queryOpts, archiveFileFields)
      const id = archiveId as ArchiveId
      let files: Array<ArchiveFile>
      if (kind === "zip") {
        const members = yield* zipMembers(info.size, (offset, size) =>
          Effect.mapError(store.read(path, { offset, size }), storeError))
        files = members.map((m) => ({ archive_id: id, name: m.name, size: m.size, mtime: m.mtime }))
      } else {
        const bytes = yield* untar(yield* Effect.mapError(store.read(path), storeError))
        files = tarMembers(bytes).map((m) => ({ archive_id: id, ...m }))
      }
      return yield* QueryOpts_.inMemory(files, queryOpts, archiveFileFields)
    })

  const listBTypes = (
    query: { readonly name?: string | undefined; readonly id?: number | undefined } | null | undefined,
    queryOpts: QueryOpts | null | undefined
  ) =>
    Effect.gen(function*() {
      const clauses: Array<Statement.Fragment> = []
      if (query?.name !== undefined) clauses.push(sql`btype.name = ${query.name}`)
      if (query?.id !== undefined) clauses.push(sql`btype.id = ${query.id}`)
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      return yield* QueryOpts_.run(sql, queryOpts, {
        columns: { id: "btype.id", name: "btype.name" },
        tiebreak: "btype.id",
        from: sql`SELECT 1 FROM btype WHERE ${where}`,
        select: (order, window) =>
          sql<BType>`SELECT btype.id, btype.name FROM btype WHERE ${where} ORDER BY ${order} ${window}`
      })
    })

  const describe = (info: BuildInfo) =>
    typeof info === "number" || typeof info === "string" ? String(info) : Method.pythonRepr(info)

  // Koji's find_build_id(info, strict): an id is taken as it is
  const buildId = (info: BuildInfo, strict: boolean) =>
    Effect.gen(function*() {
      const id = yield* builds.findId(info)
      if (id === undefined && strict) return yield* new GenericError({ message: `No such build: ${Method.pythonRepr(info)}` })
      return id
    })

  const typed = <A>(label: string, query: (id: number) => Effect.Effect<ReadonlyArray<A>, SqlError.SqlError>) =>
  (info: BuildInfo, strict: boolean) =>
    Effect.gen(function*() {
      const id = yield* buildId(info, strict)
      if (id === undefined) return undefined
      const [row] = yield* query(id)
      if (row === undefined && strict) return yield* new GenericError({ message: `no such ${label}: ${describe(info)}` })
      return row
    })

  const mavenBuild = typed("maven build", (id) =>
    sql<MavenBuild>`SELECT build_id, group_id, artifact_id, version FROM maven_builds WHERE build_id = ${id}`)
  const winBuild = typed("Windows build", (id) =>
    sql<WinBuild>`SELECT build_id, platform FROM win_builds WHERE build_id = ${id}`)
  const imageBuild = typed("image build", (id) =>
    sql<ImageBuild>`SELECT build_id FROM image_builds WHERE build_id = ${id}`)

  const buildType = (info: BuildInfo, strict: boolean) =>
    Effect.gen(function*() {
      const build = strict ? yield* builds.require(info) : yield* builds.find(info)
      if (build === undefined) return undefined
      const names = yield* sql<{ name: string }>`
        SELECT btype.name FROM btype JOIN build_types ON build_types.btype_id = btype.id
         WHERE build_types.build_id = ${build.id} ORDER BY btype.id`
      const typeinfo = build.extra?.["typeinfo"]
      const result: Record<string, unknown> = {}
      for (const { name } of names) {
        const value = typeinfo !== null && typeof typeinfo === "object" ? (typeinfo as Record<string, unknown>)[name] : undefined
        result[name] = value ?? null
      }
      // the legacy tables win over typeinfo, as in Koji
      const maven = yield* mavenBuild(build.id, false)
      if (maven !== undefined) result["maven"] = maven
      const win = yield* winBuild(build.id, false)
      if (win !== undefined) result["win"] = win
      const image = yield* imageBuild(build.id, false)
      if (image !== undefined) result["image"] = image
      return result
    })

  const rpmSigs = (
    rpm: RpmInfo | null | undefined,
    sigkey: string | null | undefined,
    queryOpts: QueryOpts | null | undefined
  ) =>
    Effect.gen(function*() {
      let rpmId: number | undefined
      if (rpm !== null && rpm !== undefined) {
        if (typeof rpm === "number") {
          rpmId = rpm
        } else {
          const found = yield* rpms.find(rpm)
          if (found === undefined) return []
          rpmId = found.id
        }
      }
      const clauses: Array<Statement.Fragment> = []
      if (rpmId !== undefined) clauses.push(sql`rpm_id = ${rpmId}`)
      if (sigkey !== null && sigkey !== undefined) clauses.push(sql`sigkey = ${sigkey.toLowerCase()}`)
      const where = clauses.length === 0 ? sql`TRUE` : sql.and(clauses)
      const rows = yield* QueryOpts_.run(sql, queryOpts, {
        columns: { rpm_id: "rpm_id", sigkey: "sigkey", sighash: "sighash" },
        tiebreak: "rpm_id, sigkey",
        from: sql`SELECT 1 FROM rpmsigs WHERE ${where}`,
        select: (order, window) =>
          sql<RpmSig>`SELECT rpm_id, sigkey, sighash FROM rpmsigs WHERE ${where} ORDER BY ${order} ${window}`
      })
      return typeof rows === "number" ? rows : rows.map((row) => ({ ...row, rpm_id: row.rpm_id as RpmId }))
    })

  const changelog = (options: ChangelogOptions) =>
    Effect.gen(function*() {
      const strict = options.strict ?? false
      let queryOpts = options.queryOpts
      if (queryOpts?.order === "date" || queryOpts?.order === "-date") {
        // a numeric sort on the timestamp, not on the date string
        queryOpts = { ...queryOpts, order: queryOpts.order.replace("date", "date_ts") }
      }
      const none = QueryOpts_.inMemory<ChangelogEntry>([], queryOpts, changelogFields)
      let path: string
      const buildInfo = options.buildID
      if (buildInfo !== null && buildInfo !== undefined && buildInfo !== 0 && buildInfo !== "") {
        const build = yield* builds.find(buildInfo)
        if (build === undefined) {
          if (strict) return yield* new GenericError({ message: `No such build: ${describe(buildInfo)}` })
          return yield* none
        }
        const srpms = yield* rpms.list({ buildID: build.id, arches: "src" })
        const srpm = typeof srpms === "number" ? undefined : srpms[0]
        if (srpm === undefined) {
          if (strict) return yield* new GenericError({ message: `Build ${describe(buildInfo)} doesn't have srpms` })
          return yield* none
        }
        path = Paths.rpm(build, srpm, build.volume_name)
      } else if (options.taskID) {
        path = yield* taskFilePath(options.taskID, options.filepath)
      } else {
        return yield* new GenericError({ message: "either buildID or taskID and filepath must be specified" })
      }
      if (!(yield* storedFileExists(store, path))) {
        if (strict) return yield* new GenericError({ message: `SRPM ${shownPath(store, path)} doesn't exist` })
        return yield* none
      }
      const before = yield* timeBound("before", options.before)
      const after = yield* timeBound("after", options.after)
      const header = yield* readStoredHeader(store, path)
      const entries: Array<ChangelogEntry> = []
      for (const entry of header.changelog) {
        if (options.author && options.author !== entry.name) continue
        if (before && !(entry.time < before)) continue
        if (after && !(entry.time > after)) continue
        entries.push({
          date: formatDate(entry.time),
          date_ts: entry.time,
          author: printable(entry.name),
          text: printable(entry.text)
        })
      }
      return yield* QueryOpts_.inMemory(entries, queryOpts, changelogFields)
    })

  return Archives.of({
    list,
    get,
    listFiles,
    listBTypes,
    mavenBuild,
    winBuild,
    imageBuild,
    buildType,
    rpmSigs,
    changelog
  })
})

/**
 * The service on its own (`Builds` and `Rpms` provided from outside).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithoutDependencies: Layer.Layer<Archives, never, SqlClient.SqlClient | FileStore | Builds | Rpms> =
  Layer.effect(Archives, make)

/**
 * The service with the `Builds` and `Rpms` services it reads.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<Archives, never, SqlClient.SqlClient | FileStore> = layerWithoutDependencies.pipe(
  Layer.provide(Layer.mergeAll(buildsLayer, rpmsLayer))
)

