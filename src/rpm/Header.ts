/**
 * An RPM header reader in TypeScript (no `rpm` on the hub): the lead, the
 * signature header and the main header of a package file, read from the bytes
 * at its start.
 *
 * The file layout (rpm's `lib/header.c`, Maximum RPM appendix A):
 *
 * - the lead: 96 bytes, magic `ED AB EE DB`, type 0 (binary) or 1 (source);
 * - the signature header, 8-byte aligned after it;
 * - the main header, then the payload.
 *
 * Each header is an intro (magic `8E AD E8 01`, 4 reserved bytes, the number of
 * index entries, the size of the data store), the index entries (tag, type,
 * offset, count: four big-endian 32-bit numbers each) and the data store.
 *
 * `parse` answers a typed `RpmHeader` or an `RpmHeaderError`: `Truncated` (with
 * the number of bytes from the start of the file it needs, so a caller reads that
 * much and tries again), `BadMagic` (not an RPM), `Malformed` (an RPM whose
 * header does not hold together). Garbage never throws.
 *
 * @since 0.1.0
 */
import { Effect, Either, Schema } from "effect"

/**
 * Why a header could not be read. `needed` (with `Truncated`) is how many bytes
 * from the start of the file the header needs.
 *
 * @since 0.1.0
 * @category errors
 */
export class RpmHeaderError extends Schema.TaggedError<RpmHeaderError>()("RpmHeaderError", {
  reason: Schema.Literal("Truncated", "BadMagic", "Malformed"),
  message: Schema.String,
  needed: Schema.optional(Schema.Int)
}) {}

/**
 * The data types of header entries (rpm's `rpmTagType`).
 *
 * @since 0.1.0
 * @category constants
 */
export const TagType = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9
} as const

/**
 * @since 0.1.0
 * @category models
 */
export type TagType = (typeof TagType)[keyof typeof TagType]

/**
 * Tags of the main header used here (rpm's `RPMTAG_*`).
 *
 * @since 0.1.0
 * @category constants
 */
export const Tag = {
  HEADERIMMUTABLE: 63,
  HEADERI18NTABLE: 100,
  SIGMD5: 261,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  DESCRIPTION: 1005,
  BUILDTIME: 1006,
  BUILDHOST: 1007,
  SIZE: 1009,
  LICENSE: 1014,
  GROUP: 1016,
  URL: 1020,
  OS: 1021,
  ARCH: 1022,
  SOURCERPM: 1044,
  NOSOURCE: 1051,
  NOPATCH: 1052,
  EXCLUDEARCH: 1059,
  EXCLUSIVEARCH: 1061,
  CHANGELOGTIME: 1080,
  CHANGELOGNAME: 1081,
  CHANGELOGTEXT: 1082,
  BUILDARCHS: 1089,
  SOURCEPACKAGE: 1106,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  LONGSIZE: 5009
} as const

/**
 * Tags of the signature header (rpm's `RPMSIGTAG_*`).
 *
 * @since 0.1.0
 * @category constants
 */
export const SigTag = {
  HEADERSIGNATURES: 62,
  DSA: 267,
  RSA: 268,
  SHA1: 269,
  LONGSIZE: 270,
  LONGARCHIVESIZE: 271,
  SHA256: 273,
  SIZE: 1000,
  PGP: 1002,
  MD5: 1004,
  GPG: 1005,
  PAYLOADSIZE: 1007,
  RESERVEDSPACE: 1008
} as const

/**
 * One index entry: the tag, its data type, the offset of its data in the data
 * store and the number of values.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly tag: number
  readonly type: TagType
  readonly offset: number
  readonly count: number
}

/**
 * The value of an entry: strings for `STRING`, `STRING_ARRAY` and `I18NSTRING` (one per
 * locale of the header's i18n table), numbers for `CHAR`/`INT8`/`INT16`/`INT32`, bigints for
 * `INT64`, bytes for `BIN`, nothing for `NULL`.
 *
 * @since 0.1.0
 * @category models
 */
export type Value =
  | { readonly type: typeof TagType.NULL }
  | { readonly type: typeof TagType.CHAR | typeof TagType.INT8 | typeof TagType.INT16 | typeof TagType.INT32; readonly value: ReadonlyArray<number> }
  | { readonly type: typeof TagType.INT64; readonly value: ReadonlyArray<bigint> }
  | { readonly type: typeof TagType.STRING | typeof TagType.STRING_ARRAY | typeof TagType.I18NSTRING; readonly value: ReadonlyArray<string> }
  | { readonly type: typeof TagType.BIN; readonly value: Uint8Array }

/**
 * One header structure (the signature header or the main header) of a file.
 *
 * @since 0.1.0
 * @category models
 */
export interface Section {
  /** Where it starts in the file. */
  readonly start: number
  /** Its length: intro, index and data store (without the signature header's padding). */
  readonly length: number
  readonly entries: ReadonlyArray<Entry>
  /** The value of a tag; `undefined` when the header has no such tag. */
  readonly get: (tag: number) => Value | undefined
  /** The first string of a string tag (the first locale of an i18n string). */
  readonly string: (tag: number) => string | undefined
  /** The strings of a string-array tag (`[]` when absent). */
  readonly strings: (tag: number) => ReadonlyArray<string>
  /** The numbers of an integer tag (`[]` when absent; INT64 values as numbers). */
  readonly numbers: (tag: number) => ReadonlyArray<number>
  /** The bytes of a binary tag. */
  readonly bytes: (tag: number) => Uint8Array | undefined
}

/**
 * The 96-byte lead.
 *
 * @since 0.1.0
 * @category models
 */
export interface Lead {
  readonly major: number
  readonly minor: number
  /** 0 binary, 1 source. */
  readonly type: number
  readonly archnum: number
  readonly name: string
  readonly osnum: number
  readonly signatureType: number
}

/**
 * One changelog entry (newest first, as in the header).
 *
 * @since 0.1.0
 * @category models
 */
export interface ChangelogEntry {
  /** Seconds since the epoch. */
  readonly time: number
  readonly name: string
  readonly text: string
}

/**
 * A package's header, with the fields Koji reads by name and generic access to every tag.
 *
 * @since 0.1.0
 * @category models
 */
export interface RpmHeader {
  readonly lead: Lead
  readonly signature: Section
  readonly header: Section
  /** Where the signature header ends, with its padding (where the main header starts). */
  readonly signatureEnd: number
  /** Where the payload starts (the end of the main header). */
  readonly payloadOffset: number
  readonly name: string
  readonly version: string
  readonly release: string
  /** `null` when the package has no epoch. */
  readonly epoch: number | null
  /** The package arch; `src` for a source package (as Koji records it). */
  readonly arch: string
  /** The arch the header names (a source package's build arch). */
  readonly headerArch: string | null
  /** The installed size (`SIZE`, or `LONGSIZE` when larger); 0 when absent. */
  readonly size: number
  readonly buildtime: number
  /** The source package a binary package was built from; `null` for a source package. */
  readonly sourcerpm: string | null
  /** The signature header's MD5 of header and payload, hex (Koji's `payloadhash`); `null` when absent. */
  readonly sigmd5: string | null
  readonly summary: string | null
  readonly description: string | null
  readonly license: string | null
  readonly buildhost: string | null
  readonly excludearch: ReadonlyArray<string>
  readonly exclusivearch: ReadonlyArray<string>
  readonly buildarchs: ReadonlyArray<string>
  readonly changelog: ReadonlyArray<ChangelogEntry>
  /** A source package: the header names no source package (rpm's `headerIsSource`). */
  readonly isSource: boolean
  /** The key id (hex, as Koji's `sigkey`) of the package's OpenPGP signature; `""` when unsigned. */
  readonly sigkey: string
  /** The main header's value of a tag. */
  readonly tag: (tag: number) => Value | undefined
  /** The signature header's value of a tag. */
  readonly signatureTag: (tag: number) => Value | undefined
  /** The signature header's bytes with their padding (Koji's `rip_rpm_sighdr`). */
  readonly signatureBytes: Uint8Array
}

/**
 * The length of the lead.
 *
 * @since 0.1.0
 * @category constants
 */
export const LEAD_SIZE = 96

const LEAD_MAGIC = [0xed, 0xab, 0xee, 0xdb] as const
const HEADER_MAGIC = [0x8e, 0xad, 0xe8, 0x01] as const
// rpm's own limits (hdrchkTags / hdrchkData)
const MAX_ENTRIES = 0xffff
const MAX_DATA = 0x0fffffff

const fail = (reason: RpmHeaderError["reason"], message: string, needed?: number) =>
  new RpmHeaderError(needed === undefined ? { reason, message } : { reason, message, needed })

class Failure {
  constructor(readonly error: RpmHeaderError) {}
}

const raise = (reason: RpmHeaderError["reason"], message: string, needed?: number): never => {
  throw new Failure(fail(reason, message, needed))
}

const u32 = (bytes: Uint8Array, at: number) =>
  ((bytes[at]! << 24) >>> 0) + (bytes[at + 1]! << 16) + (bytes[at + 2]! << 8) + bytes[at + 3]!

const u16 = (bytes: Uint8Array, at: number) => (bytes[at]! << 8) + bytes[at + 1]!

const matches = (bytes: Uint8Array, at: number, magic: ReadonlyArray<number>) => {
  for (let i = 0; i < magic.length && at + i < bytes.length; i++) {
    if (bytes[at + i] !== magic[i]) return false
  }
  return true
}

const utf8 = new TextDecoder("utf-8", { fatal: false })

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

const typeSize: Readonly<Record<number, number>> = {
  [TagType.CHAR]: 1,
  [TagType.INT8]: 1,
  [TagType.INT16]: 2,
  [TagType.INT32]: 4,
  [TagType.INT64]: 8,
  [TagType.BIN]: 1
}

// one header structure at `start`: its entries checked against its data store, values decoded
const readSection = (bytes: Uint8Array, start: number, what: string): Section => {
  if (bytes.length < start + 16) raise("Truncated", `${what} is truncated`, start + 16)
  if (!matches(bytes, start, HEADER_MAGIC)) raise("BadMagic", `bad ${what} magic at offset ${start}`)
  const il = u32(bytes, start + 8)
  const dl = u32(bytes, start + 12)
  if (il < 1 || il > MAX_ENTRIES) raise("Malformed", `${what}: bad number of index entries (${il})`)
  if (dl > MAX_DATA) raise("Malformed", `${what}: data store too large (${dl} bytes)`)
  const storeStart = start + 16 + il * 16
  const length = 16 + il * 16 + dl
  if (bytes.length < start + length) raise("Truncated", `${what} is truncated`, start + length)
  const entries: Array<Entry> = []
  const values = new Map<number, Value>()
  const stringsAt = (offset: number, count: number, tag: number): Array<string> => {
    const out: Array<string> = []
    let at = storeStart + offset
    const end = storeStart + dl
    for (let i = 0; i < count; i++) {
      const nul = bytes.indexOf(0, at)
      if (nul === -1 || nul >= end) raise("Malformed", `${what}: tag ${tag}: string runs past the data store`)
      out.push(utf8.decode(bytes.subarray(at, nul)))
      at = nul + 1
    }
    return out
  }
  for (let i = 0; i < il; i++) {
    const at = start + 16 + i * 16
    const tag = u32(bytes, at)
    const type = u32(bytes, at + 4)
    const offset = u32(bytes, at + 8)
    const count = u32(bytes, at + 12)
    if (type > TagType.I18NSTRING) raise("Malformed", `${what}: tag ${tag}: unknown data type ${type}`)
    if (offset > dl) raise("Malformed", `${what}: tag ${tag}: offset ${offset} past the data store (${dl} bytes)`)
    if (type !== TagType.NULL && count < 1) raise("Malformed", `${what}: tag ${tag}: no values`)
    if (type === TagType.STRING && count !== 1) raise("Malformed", `${what}: tag ${tag}: a string with ${count} values`)
    const entry: Entry = { tag, type: type as TagType, offset, count }
    entries.push(entry)
    const size = typeSize[type]
    let value: Value
    if (type === TagType.NULL) {
      value = { type: TagType.NULL }
    } else if (size !== undefined) {
      if (offset % size !== 0) raise("Malformed", `${what}: tag ${tag}: misaligned data`)
      if (count > (dl - offset) / size) raise("Malformed", `${what}: tag ${tag}: data runs past the data store`)
      const from = storeStart + offset
      if (type === TagType.BIN) {
        value = { type: TagType.BIN, value: bytes.slice(from, from + count) }
      } else if (type === TagType.INT64) {
        const view = new DataView(bytes.buffer, bytes.byteOffset + from, count * 8)
        value = { type: TagType.INT64, value: Array.from({ length: count }, (_, k) => view.getBigUint64(k * 8)) }
      } else {
        const read = size === 1 ? (k: number) => bytes[from + k]! : size === 2 ? (k: number) => u16(bytes, from + k * 2) : (k: number) => u32(bytes, from + k * 4)
        value = { type: type as 1 | 2 | 3 | 4, value: Array.from({ length: count }, (_, k) => read(k)) }
      }
    } else {
      value = { type: type as 6 | 8 | 9, value: stringsAt(offset, count, tag) }
    }
    // the first entry of a tag wins (rpm refuses duplicates in new packages; old ones keep the first)
    if (!values.has(tag)) values.set(tag, value)
  }
  const get = (tag: number) => values.get(tag)
  return {
    start,
    length,
    entries,
    get,
    string: (tag) => {
      const v = values.get(tag)
      return v !== undefined && (v.type === TagType.STRING || v.type === TagType.I18NSTRING || v.type === TagType.STRING_ARRAY)
        ? v.value[0]
        : undefined
    },
    strings: (tag) => {
      const v = values.get(tag)
      return v !== undefined && (v.type === TagType.STRING || v.type === TagType.I18NSTRING || v.type === TagType.STRING_ARRAY)
        ? v.value
        : []
    },
    numbers: (tag) => {
      const v = values.get(tag)
      if (v === undefined) return []
      if (v.type === TagType.INT64) return v.value.map(Number)
      return v.type === TagType.CHAR || v.type === TagType.INT8 || v.type === TagType.INT16 || v.type === TagType.INT32
        ? v.value
        : []
    },
    bytes: (tag) => {
      const v = values.get(tag)
      return v !== undefined && v.type === TagType.BIN ? v.value : undefined
    }
  }
}

// an OpenPGP packet's header: its tag and body (Koji's __parse_packet_header)
const packetBody = (packet: Uint8Array): { readonly tag: number; readonly body: Uint8Array } | undefined => {
  const b0 = packet[0]
  if (b0 === undefined || (b0 & 0x80) === 0) return undefined
  let tag: number
  let offset: number
  let length: number
  if ((b0 & 0x40) === 0) {
    tag = (b0 & 0x3c) >> 2
    const lenType = b0 & 0x03
    if (lenType === 3) {
      offset = 1
      length = packet.length - 1
    } else {
      offset = lenType === 0 ? 2 : lenType === 1 ? 3 : 5
      if (packet.length < offset) return undefined
      length = lenType === 0 ? packet[1]! : lenType === 1 ? u16(packet, 1) : u32(packet, 1)
    }
  } else {
    tag = b0 & 0x3f
    const b1 = packet[1]
    if (b1 === undefined) return undefined
    if (b1 < 192) {
      offset = 2
      length = b1
    } else if (b1 < 224) {
      if (packet.length < 3) return undefined
      offset = 3
      length = ((b1 - 192) << 8) + packet[2]! + 192
    } else if (b1 === 255) {
      if (packet.length < 6) return undefined
      offset = 6
      length = u32(packet, 2)
    } else {
      return undefined
    }
  }
  if (packet.length !== offset + length) return undefined
  return { tag, body: packet.subarray(offset) }
}

// issuer key ids (subpacket 16) of v4 signature subpackets
const issuers = (subs: Uint8Array): Array<Uint8Array> => {
  const out: Array<Uint8Array> = []
  let at = 0
  while (at < subs.length) {
    const b0 = subs[at]!
    let length: number
    let off: number
    if (b0 < 192) {
      length = b0
      off = 1
    } else if (b0 < 255) {
      length = ((b0 - 192) << 8) + (subs[at + 1] ?? 0) + 192
      off = 2
    } else {
      length = at + 5 <= subs.length ? u32(subs, at + 1) : 0
      off = 5
    }
    if (length < 1 || at + off + length > subs.length) break
    if (subs[at + off] === 16) out.push(subs.subarray(at + off + 1, at + off + length))
    at += off + length
  }
  return out
}

/**
 * The key id of an OpenPGP signature packet as Koji's `get_sigpacket_key_id` gives it (the
 * last 4 bytes of the issuer key id, hex); `undefined` when the packet cannot be read.
 *
 * @since 0.1.0
 * @category combinators
 */
export const signatureKeyId = (packet: Uint8Array): string | undefined => {
  const parsed = packetBody(packet)
  if (parsed === undefined || parsed.tag !== 2) return undefined
  const body = parsed.body
  if (body[0] === 0x03) return body.length >= 15 ? hex(body.subarray(11, 15)) : undefined
  if (body[0] !== 0x04 || body.length < 6) return undefined
  const hashedLength = u16(body, 4)
  const hashedEnd = 6 + hashedLength
  if (body.length < hashedEnd + 2) return undefined
  const unhashedLength = u16(body, hashedEnd)
  const ids = [
    ...issuers(body.subarray(6, hashedEnd)),
    ...issuers(body.subarray(hashedEnd + 2, Math.min(body.length, hashedEnd + 2 + unhashedLength)))
  ]
  if (ids.length !== 1) return undefined
  return hex(ids[0]!.subarray(-4))
}

const parseUnsafe = (bytes: Uint8Array): RpmHeader => {
  if (!matches(bytes, 0, LEAD_MAGIC)) raise("BadMagic", "not an RPM file (bad lead magic)")
  if (bytes.length < LEAD_SIZE) raise("Truncated", "the lead is truncated", LEAD_SIZE)
  const nameEnd = bytes.indexOf(0, 10)
  const lead: Lead = {
    major: bytes[4]!,
    minor: bytes[5]!,
    type: u16(bytes, 6),
    archnum: u16(bytes, 8),
    name: utf8.decode(bytes.subarray(10, nameEnd === -1 || nameEnd > 76 ? 76 : nameEnd)),
    osnum: u16(bytes, 76),
    signatureType: u16(bytes, 78)
  }
  if (lead.type !== 0 && lead.type !== 1) raise("Malformed", `bad package type in the lead: ${lead.type}`)
  // 5 = RPMSIGTYPE_HEADERSIG: a signature header follows (every package rpm reads today)
  if (lead.signatureType !== 5) raise("Malformed", `unsupported signature type in the lead: ${lead.signatureType}`)
  const signature = readSection(bytes, LEAD_SIZE, "signature header")
  const signatureEnd = LEAD_SIZE + signature.length + ((8 - (signature.length % 8)) % 8)
  const header = readSection(bytes, signatureEnd, "header")
  const required = (tag: number, label: string) => {
    const value = header.string(tag)
    if (value === undefined) raise("Malformed", `header has no ${label}`)
    return value!
  }
  const name = required(Tag.NAME, "name")
  const version = required(Tag.VERSION, "version")
  const release = required(Tag.RELEASE, "release")
  const sourcerpm = header.string(Tag.SOURCERPM) ?? null
  const isSource = sourcerpm === null
  const headerArch = header.string(Tag.ARCH) ?? null
  if (!isSource && headerArch === null) raise("Malformed", "header has no arch")
  const epoch = header.numbers(Tag.EPOCH)[0]
  const longSize = header.numbers(Tag.LONGSIZE)[0]
  const md5 = signature.bytes(SigTag.MD5) ?? header.bytes(Tag.SIGMD5)
  const times = header.numbers(Tag.CHANGELOGTIME)
  const names = header.strings(Tag.CHANGELOGNAME)
  const texts = header.strings(Tag.CHANGELOGTEXT)
  let sigkey = ""
  for (const tag of [SigTag.GPG, SigTag.PGP, SigTag.DSA, SigTag.RSA]) {
    const packet = signature.bytes(tag)
    if (packet !== undefined && packet.length > 0) {
      sigkey = signatureKeyId(packet) ?? raise("Malformed", `signature header: unreadable OpenPGP signature in tag ${tag}`)
      break
    }
  }
  return {
    lead,
    signature,
    header,
    signatureEnd,
    payloadOffset: header.start + header.length,
    name,
    version,
    release,
    epoch: epoch ?? null,
    arch: isSource ? "src" : headerArch!,
    headerArch,
    size: longSize ?? header.numbers(Tag.SIZE)[0] ?? 0,
    buildtime: header.numbers(Tag.BUILDTIME)[0] ?? 0,
    sourcerpm,
    sigmd5: md5 === undefined ? null : hex(md5),
    summary: header.string(Tag.SUMMARY) ?? null,
    description: header.string(Tag.DESCRIPTION) ?? null,
    license: header.string(Tag.LICENSE) ?? null,
    buildhost: header.string(Tag.BUILDHOST) ?? null,
    excludearch: header.strings(Tag.EXCLUDEARCH),
    exclusivearch: header.strings(Tag.EXCLUSIVEARCH),
    buildarchs: header.strings(Tag.BUILDARCHS),
    changelog: times.map((time, i) => ({ time, name: names[i] ?? "", text: texts[i] ?? "" })),
    isSource,
    sigkey,
    tag: header.get,
    signatureTag: signature.get,
    signatureBytes: bytes.slice(LEAD_SIZE, signatureEnd)
  }
}

/**
 * Read the header of a package from the bytes at the start of its file (the whole file, or
 * at least up to the payload). Answers `Truncated` with `needed` when more bytes are needed.
 *
 * @since 0.1.0
 * @category constructors
 */
export const parse = (bytes: Uint8Array): Either.Either<RpmHeader, RpmHeaderError> => {
  try {
    return Either.right(parseUnsafe(bytes))
  } catch (e) {
    if (e instanceof Failure) return Either.left(e.error)
    return Either.left(fail("Malformed", `unreadable header: ${e instanceof Error ? e.message : String(e)}`))
  }
}

/**
 * How many bytes `read` asks for first (most headers fit; larger ones are read again at
 * their exact length).
 *
 * @since 0.1.0
 * @category constants
 */
export const INITIAL_READ = 256 * 1024

/**
 * Read a package's header with `readBytes(size)`, which answers up to `size` bytes from the
 * start of the file: a first read of `INITIAL_READ` bytes, and one more of the exact length
 * when the header is larger. A file shorter than its header is `Truncated`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const read = <E, R>(
  readBytes: (size: number) => Effect.Effect<Uint8Array, E, R>
): Effect.Effect<RpmHeader, RpmHeaderError | E, R> =>
  Effect.gen(function*() {
    const first = yield* readBytes(INITIAL_READ)
    const parsed = parse(first)
    if (Either.isRight(parsed)) return parsed.right
    const error = parsed.left
    // a short read means the file ended: nothing more to read
    if (error.reason !== "Truncated" || error.needed === undefined || first.length < INITIAL_READ) {
      return yield* error
    }
    return yield* parse(yield* readBytes(error.needed))
  })
