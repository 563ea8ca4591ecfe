/**
 * What an RPM's own header says (reference 9): the `RpmFiles` service behind
 * `getRPMHeaders`, `listRPMFiles` and `getRPMFile`. The package is read from the file
 * store (a build's RPM at Koji's path, or a file of a task's output) with our header
 * reader; no `rpm` on the hub.
 *
 * Header values follow what Koji's `get_header_fields` answers through rpm's Python
 * bindings: tag names are rpm's, case-insensitive; a list tag answers a list (`[]` when
 * absent), any other tag one value (`null` when absent); binary tags are bytes; the
 * signature header's tags are merged in as rpm does (`sigmd5`, `sigsize`, `sha256header`,
 * `archivesize`); `filenames`, `evr`, `nvr`, `nevr`, `nvra`, `nevra`, `epochnum`,
 * `archsuffix` and the `long*` sizes are computed as rpm computes them; Koji's own cases
 * (`nosource`/`nopatch` always a list, `size`/`archivesize`/`filesizes`/`sigsize` falling
 * back to their `long*` tags) apply. An unknown name is `GenericError: No such rpm header
 * field`. Other computed tags of rpm (`requirenevrs`, `filenlinks`, ...) answer `null`/`[]`.
 *
 * @since 0.1.0
 */
import { Context, Effect, Layer } from "effect"
import type { HeaderValue, RpmFile, RpmFileEntry, RpmInfo } from "../api/Rpms.js"
import type { QueryOpts } from "../api/Users.js"
import { BuildState } from "../domain/Enums.js"
import { GenericError, type ParameterError } from "../domain/Errors.js"
import type { RpmId } from "../domain/Ids.js"
import type { Rpm } from "../domain/Rpm.js"
import * as Header from "../rpm/Header.js"
import { FileStore } from "../storage/FileStore.js"
import * as Paths from "../storage/Paths.js"
import * as Method from "../api/Method.js"
import * as QueryOpts_ from "./QueryOpts.js"
import { printable, readStoredHeader, shownPath, storedFileExists, taskFilePath } from "./StoredFiles.js"
import { Builds } from "./Builds.js"
import { Rpms } from "./Rpms.js"
import type { SqlError } from "@effect/sql"

/**
 * What `getRPMHeaders` reads (Koji's names).
 *
 * @since 0.1.0
 * @category models
 */
export interface HeadersOptions {
  readonly rpmID?: RpmInfo | null | undefined
  readonly taskID?: number | null | undefined
  readonly filepath?: string | null | undefined
  readonly headers?: ReadonlyArray<string> | null | undefined
  readonly strict?: boolean | undefined
}

type Failure = GenericError | ParameterError | SqlError.SqlError

/**
 * @since 0.1.0
 * @category tags
 */
export class RpmFiles extends Context.Tag("koji/hub/RpmFiles")<RpmFiles, {
  /** `getRPMHeaders`: header name (as asked) -> value; `{}` when the package is not there (not strict). */
  readonly headers: (options: HeadersOptions) => Effect.Effect<Record<string, HeaderValue>, Failure>
  /** `listRPMFiles`: the files of an internal RPM, or their number with `countOnly`. */
  readonly list: (
    rpm: RpmInfo,
    queryOpts: QueryOpts | null | undefined
  ) => Effect.Effect<ReadonlyArray<RpmFile> | number, Failure>
  /** `getRPMFile`: one file; `undefined` (or an error when `strict`) when there is none. */
  readonly get: (rpm: RpmInfo, filename: string, strict: boolean) => Effect.Effect<RpmFileEntry | undefined, Failure>
}>() {}

// ---------------------------------------------------------------------------
// header fields as Koji's get_header_field reads them

type Item = number | string | Uint8Array

const items = (value: Header.Value | undefined): ReadonlyArray<Item> => {
  if (value === undefined || value.type === Header.TagType.NULL) return []
  if (value.type === Header.TagType.INT64) return value.value.map(Number)
  if (value.type === Header.TagType.BIN) return [value.value]
  return value.value
}

// Koji's filedigestAlgo: RFC 4880 ids, md5 when the header has none
const digestAlgos: Readonly<Record<number, string>> = {
  1: "md5",
  2: "sha1",
  3: "ripemd160",
  8: "sha256",
  9: "sha384",
  10: "sha512",
  11: "sha224"
}

/**
 * Koji's `get_header_fields` on a package header: each name (as given) -> its value;
 * `headers` absent: every tag of the header under rpm's name for it.
 *
 * @since 0.1.0
 * @category combinators
 */
export const headerFields = (
  header: Header.RpmHeader,
  names: ReadonlyArray<string> | null | undefined
): Effect.Effect<Record<string, HeaderValue>, GenericError> =>
  Effect.suspend(() => {
    const view = Header.merged(header)
    const raw = (tag: number) => items(view.get(tag))
    const strings = (tag: number) => raw(tag).map(String)
    const numbers = (tag: number) => raw(tag).filter((x): x is number => typeof x === "number")
    const first = (tag: number) => raw(tag)[0]

    // rpm's computed tags (tagexts.c) for the names Koji's callers use
    const epoch = first(Header.Tag.EPOCH)
    const evr = () => `${epoch !== undefined ? `${epoch}:` : ""}${header.version}-${header.release}`
    const headerArch = header.headerArch ?? ""
    const computed: Readonly<Record<string, () => Item | ReadonlyArray<Item> | undefined>> = {
      FILENAMES: () => {
        const dirs = strings(Header.Tag.DIRNAMES)
        const indexes = numbers(Header.Tag.DIRINDEXES)
        return strings(Header.Tag.BASENAMES).map((base, i) => `${dirs[indexes[i] ?? 0] ?? ""}${base}`)
      },
      EVR: evr,
      NVR: () => `${header.name}-${header.version}-${header.release}`,
      NEVR: () => `${header.name}-${evr()}`,
      NVRA: () => `${header.name}-${header.version}-${header.release}.${headerArch}`,
      NEVRA: () => `${header.name}-${evr()}.${headerArch}`,
      EPOCHNUM: () => epoch ?? 0,
      ARCHSUFFIX: () => (header.headerArch === null ? "" : `.${header.headerArch}`),
      LONGSIZE: () => first(Header.Tag.LONGSIZE) ?? first(Header.Tag.SIZE),
      LONGFILESIZES: () => raw(Header.Tag.LONGFILESIZES).length > 0 ? raw(Header.Tag.LONGFILESIZES) : raw(Header.Tag.FILESIZES),
      LONGARCHIVESIZE: () => first(271) ?? first(Header.Tag.ARCHIVESIZE),
      LONGSIGSIZE: () => first(270) ?? first(257)
    }
    ;(computed as Record<string, () => Item | ReadonlyArray<Item> | undefined>)["ORIGFILENAMES"] = computed["FILENAMES"]!

    const field = (name: string): Item | ReadonlyArray<Item> | null => {
      const upper = name.toUpperCase()
      const info = Header.tagByName(upper)
      if (info === undefined) throw new GenericError({ message: `No such rpm header field: ${upper}` })
      let values: ReadonlyArray<Item>
      const present = view.get(info.tag)
      const compute = computed[info.name]
      if (info.name === "FILECLASS") {
        // stored as indexes into CLASSDICT; rpm answers the class strings
        const dict = strings(1142)
        values = numbers(info.tag).map((i) => dict[i] ?? "")
      } else if (present === undefined && compute !== undefined) {
        const value = compute()
        values = value === undefined ? [] : Array.isArray(value) ? value : [value as Item]
      } else {
        values = items(present)
      }
      let result: Item | ReadonlyArray<Item> | null = info.array ? values : (values[0] ?? null)
      if (info.name === "NOSOURCE" || info.name === "NOPATCH") {
        // Koji's workaround: always a list
        result = result === null ? [] : Array.isArray(result) ? result : [result as Item]
      }
      if (
        (info.name === "SIZE" || info.name === "ARCHIVESIZE" || info.name === "FILESIZES" || info.name === "SIGSIZE") &&
        (result === null || (Array.isArray(result) && result.length === 0))
      ) {
        const long = Header.tagByName(`LONG${info.name}`)!
        const longValues = items(view.get(long.tag))
        result = long.array ? longValues : (longValues[0] ?? null)
      }
      return result
    }

    // Koji's fixEncodingRecurse(remove_nonprintable=True): strings lose their control characters
    const clean = (value: Item | ReadonlyArray<Item> | null): HeaderValue =>
      typeof value === "string"
        ? printable(value)
        : Array.isArray(value)
        ? value.map((x: Item) => (typeof x === "string" ? printable(x) : x))
        : value as HeaderValue

    const wanted = names ?? view.tags.flatMap((tag) => {
      const info = Header.tagByNumber(tag)
      return info === undefined ? [] : [info.name]
    })
    try {
      const result: Record<string, HeaderValue> = {}
      for (const name of wanted) result[name] = clean(field(name))
      return Effect.succeed(result)
    } catch (e) {
      if (e instanceof GenericError) return Effect.fail(e)
      throw e
    }
  })

/**
 * The files a package header lists, with Koji's fields (`listRPMFiles`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const headerFiles = (header: Header.RpmHeader): Array<RpmFile> => {
  const view = Header.merged(header)
  const raw = (tag: number) => items(view.get(tag))
  const strings = (tag: number) => raw(tag).map(String)
  const numbers = (tag: number) => raw(tag).map(Number)
  const dirs = strings(Header.Tag.DIRNAMES)
  const indexes = numbers(Header.Tag.DIRINDEXES)
  const names = strings(Header.Tag.BASENAMES).map((base, i) => `${dirs[indexes[i] ?? 0] ?? ""}${base}`)
  const digests = strings(Header.Tag.FILEDIGESTS)
  const shortSizes = numbers(Header.Tag.FILESIZES)
  const sizes = shortSizes.length > 0 ? shortSizes : numbers(Header.Tag.LONGFILESIZES)
  const flags = numbers(Header.Tag.FILEFLAGS)
  const users = strings(Header.Tag.FILEUSERNAME)
  const groups = strings(Header.Tag.FILEGROUPNAME)
  const mtimes = numbers(Header.Tag.FILEMTIMES)
  const modes = numbers(Header.Tag.FILEMODES)
  const algoId = numbers(Header.Tag.FILEDIGESTALGO)[0]
  const digestAlgo = algoId === undefined || algoId === 0 ? "md5" : (digestAlgos[algoId] ?? "unknown")
  // Python's zip: as many entries as the shortest list
  const count = Math.min(
    names.length,
    digests.length,
    sizes.length,
    flags.length,
    users.length,
    groups.length,
    mtimes.length,
    modes.length
  )
  const files: Array<RpmFile> = []
  for (let i = 0; i < count; i++) {
    files.push({
      name: names[i]!,
      digest: digests[i]!,
      digest_algo: digestAlgo,
      md5: digests[i]!,
      size: sizes[i]!,
      flags: flags[i]!,
      user: users[i]!,
      group: groups[i]!,
      mtime: mtimes[i]!,
      mode: modes[i]!
    })
  }
  return files
}

const fileFields = ["name", "digest", "digest_algo", "md5", "size", "flags", "user", "group", "mtime", "mode"]

// ---------------------------------------------------------------------------
// the service

/**
 * The service on the RPM records and the file store.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = Effect.gen(function*() {
  const rpms = yield* Rpms
  const builds = yield* Builds
  const store = yield* FileStore

  // Python's "%s" of the rpm as the caller gave it
  const shown = (info: RpmInfo) => typeof info === "object" ? Method.pythonRepr(info) : String(info)

  const rpmPath = (rpm: Rpm) =>
    Effect.map(builds.require(rpm.build_id!), (build) => ({ build, path: Paths.rpm(build, rpm, build.volume_name) }))

  const headers = (options: HeadersOptions) =>
    Effect.gen(function*() {
      const strict = options.strict ?? false
      let path: string
      const info = options.rpmID
      if (info !== null && info !== undefined && info !== 0 && info !== "") {
        const rpm = strict ? yield* rpms.require(info) : yield* rpms.find(info)
        if (rpm === undefined) return {}
        if (rpm.external_repo_id !== 0 || rpm.build_id === null) {
          if (strict) return yield* new GenericError({ message: `External rpm: ${rpm.id}` })
          return {}
        }
        const found = yield* rpmPath(rpm)
        if (found.build.state === BuildState.DELETED) {
          if (strict) return yield* new GenericError({ message: `Build ${found.build.nvr} is deleted` })
          return {}
        }
        path = found.path
      } else if (options.taskID) {
        path = yield* taskFilePath(options.taskID, options.filepath)
      } else {
        return yield* new GenericError({ message: "either rpmID or taskID and filepath must be specified" })
      }
      if (!(yield* storedFileExists(store, path))) {
        if (strict) return yield* new GenericError({ message: `Missing rpm file: ${shownPath(store, path)}` })
        if (options.rpmID) yield* Effect.logError(`Missing rpm file: ${shownPath(store, path)}`)
        return {}
      }
      return yield* headerFields(yield* readStoredHeader(store, path), options.headers)
    })

  // the header of an internal RPM's file; undefined when there is none
  const internalHeader = (rpm: Rpm) =>
    Effect.gen(function*() {
      const { path } = yield* rpmPath(rpm)
      if (!(yield* storedFileExists(store, path))) return undefined
      return yield* readStoredHeader(store, path)
    })

  const list = (info: RpmInfo, queryOpts: QueryOpts | null | undefined) =>
    Effect.gen(function*() {
      const rpm = yield* rpms.find(info)
      if (rpm === undefined || rpm.build_id === null) return yield* QueryOpts_.inMemory([], queryOpts, fileFields)
      const header = yield* internalHeader(rpm)
      return yield* QueryOpts_.inMemory(header === undefined ? [] : headerFiles(header), queryOpts, fileFields)
    })

  const get = (info: RpmInfo, filename: string, strict: boolean) =>
    Effect.gen(function*() {
      const rpm = strict ? yield* rpms.require(info) : yield* rpms.find(info)
      if (rpm === undefined) return undefined
      if (rpm.build_id === null) {
        if (strict) {
          return yield* new GenericError({
            message: `Can not get RPM file, because RPM: ${shown(info)} is not internal`
          })
        }
        return undefined
      }
      const header = yield* internalHeader(rpm)
      if (header === undefined) {
        if (strict) return yield* new GenericError({ message: `RPM package file of ${shown(info)} doesn't exist` })
        return undefined
      }
      const file = headerFiles(header).find((f) => f.name === filename)
      if (file === undefined) {
        if (strict) return yield* new GenericError({ message: `No file: ${filename} found in RPM: ${shown(info)}` })
        return undefined
      }
      return { rpm_id: rpm.id as RpmId, ...file }
    })

  return RpmFiles.of({ headers, list, get })
})

/**
 * The service (the `Rpms` and `Builds` services and the file store provided from outside).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<RpmFiles, never, Rpms | Builds | FileStore> = Layer.effect(RpmFiles, make)
