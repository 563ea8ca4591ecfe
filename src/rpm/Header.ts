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
  FILESIZES: 1028,
  FILEMODES: 1030,
  FILEMTIMES: 1034,
  FILEDIGESTS: 1035,
  FILEFLAGS: 1037,
  FILEUSERNAME: 1039,
  FILEGROUPNAME: 1040,
  ARCHIVESIZE: 1046,
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
  DIRINDEXES: 1116,
  BASENAMES: 1117,
  DIRNAMES: 1118,
  PAYLOADFORMAT: 1124,
  PAYLOADCOMPRESSOR: 1125,
  FILECOLORS: 1140,
  LONGFILESIZES: 5008,
  LONGSIZE: 5009,
  FILEDIGESTALGO: 5011
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

// rpm's tag table (rpm 4.18, as its Python bindings name the tags): NAME:number:type:array,
// where array is 1 when rpm answers a list (RPM_ARRAY_RETURN) and 0 when one value
const tagTable = `
HEADERIMAGE:61:0:0 HEADERSIGNATURES:62:0:0 HEADERIMMUTABLE:63:0:0 HEADERREGIONS:64:0:0
HEADERI18NTABLE:100:8:1 SIGSIZE:257:4:0 SIGPGP:259:7:0 SIGMD5:261:7:0 SIGGPG:262:7:0 PUBKEYS:266:8:1
DSAHEADER:267:7:0 RSAHEADER:268:7:0 SHA1HEADER:269:6:0 LONGSIGSIZE:270:5:0 LONGARCHIVESIZE:271:5:0
SHA256HEADER:273:6:0 VERITYSIGNATURES:276:8:1 VERITYSIGNATUREALGO:277:4:0 NAME:1000:6:0 VERSION:1001:6:0
RELEASE:1002:6:0 EPOCH:1003:4:0 SUMMARY:1004:9:0 DESCRIPTION:1005:9:0 BUILDTIME:1006:4:0 BUILDHOST:1007:6:0
INSTALLTIME:1008:4:0 SIZE:1009:4:0 DISTRIBUTION:1010:6:0 VENDOR:1011:6:0 GIF:1012:7:0 XPM:1013:7:0
LICENSE:1014:6:0 PACKAGER:1015:6:0 GROUP:1016:9:0 SOURCE:1018:8:1 PATCH:1019:8:1 URL:1020:6:0 OS:1021:6:0
ARCH:1022:6:0 PREIN:1023:6:0 POSTIN:1024:6:0 PREUN:1025:6:0 POSTUN:1026:6:0 OLDFILENAMES:1027:8:1
FILESIZES:1028:4:1 FILESTATES:1029:1:1 FILEMODES:1030:3:1 FILERDEVS:1033:3:1 FILEMTIMES:1034:4:1
FILEMD5S:1035:8:1 FILELINKTOS:1036:8:1 FILEFLAGS:1037:4:1 FILEUSERNAME:1039:8:1 FILEGROUPNAME:1040:8:1
ICON:1043:7:0 SOURCERPM:1044:6:0 FILEVERIFYFLAGS:1045:4:1 ARCHIVESIZE:1046:4:0 PROVIDES:1047:8:1
REQUIREFLAGS:1048:4:1 REQUIRES:1049:8:1 REQUIREVERSION:1050:8:1 NOSOURCE:1051:4:1 NOPATCH:1052:4:1
CONFLICTFLAGS:1053:4:1 CONFLICTS:1054:8:1 CONFLICTVERSION:1055:8:1 EXCLUDEARCH:1059:8:1 EXCLUDEOS:1060:8:1
EXCLUSIVEARCH:1061:8:1 EXCLUSIVEOS:1062:8:1 RPMVERSION:1064:6:0 TRIGGERSCRIPTS:1065:8:1 TRIGGERNAME:1066:8:1
TRIGGERVERSION:1067:8:1 TRIGGERFLAGS:1068:4:1 TRIGGERINDEX:1069:4:1 VERIFYSCRIPT:1079:6:0
CHANGELOGTIME:1080:4:1 CHANGELOGNAME:1081:8:1 CHANGELOGTEXT:1082:8:1 PREINPROG:1085:8:1 POSTINPROG:1086:8:1
PREUNPROG:1087:8:1 POSTUNPROG:1088:8:1 BUILDARCHS:1089:8:1 OBSOLETES:1090:8:1 VERIFYSCRIPTPROG:1091:8:1
TRIGGERSCRIPTPROG:1092:8:1 COOKIE:1094:6:0 FILEDEVICES:1095:4:1 FILEINODES:1096:4:1 FILELANGS:1097:8:1
PREFIXES:1098:8:1 INSTPREFIXES:1099:8:1 SOURCEPACKAGE:1106:4:0 PROVIDEFLAGS:1112:4:1 PROVIDEVERSION:1113:8:1
OBSOLETEFLAGS:1114:4:1 OBSOLETEVERSION:1115:8:1 DIRINDEXES:1116:4:1 BASENAMES:1117:8:1 DIRNAMES:1118:8:1
ORIGDIRINDEXES:1119:4:1 ORIGBASENAMES:1120:8:1 ORIGDIRNAMES:1121:8:1 OPTFLAGS:1122:6:0 DISTURL:1123:6:0
PAYLOADFORMAT:1124:6:0 PAYLOADCOMPRESSOR:1125:6:0 PAYLOADFLAGS:1126:6:0 INSTALLCOLOR:1127:4:0
INSTALLTID:1128:4:0 REMOVETID:1129:4:0 PLATFORM:1132:6:0 PATCHESNAME:1133:8:1 PATCHESFLAGS:1134:4:1
PATCHESVERSION:1135:8:1 FILECOLORS:1140:4:1 FILECLASS:1141:4:1 CLASSDICT:1142:8:1 FILEDEPENDSX:1143:4:1
FILEDEPENDSN:1144:4:1 DEPENDSDICT:1145:4:1 SOURCEPKGID:1146:7:0 FILECONTEXTS:1147:8:1 FSCONTEXTS:1148:8:1
RECONTEXTS:1149:8:1 POLICIES:1150:8:1 PRETRANS:1151:6:0 POSTTRANS:1152:6:0 PRETRANSPROG:1153:8:1
POSTTRANSPROG:1154:8:1 DISTTAG:1155:6:0 OLDSUGGESTSNAME:1156:8:1 OLDSUGGESTSVERSION:1157:8:1
OLDSUGGESTSFLAGS:1158:4:1 OLDENHANCESNAME:1159:8:1 OLDENHANCESVERSION:1160:8:1 OLDENHANCESFLAGS:1161:4:1
DBINSTANCE:1195:4:0 NVRA:1196:6:0 FILENAMES:5000:8:1 FILEPROVIDE:5001:8:1 FILEREQUIRE:5002:8:1
TRIGGERCONDS:5005:8:1 TRIGGERTYPE:5006:8:1 ORIGFILENAMES:5007:8:1 LONGFILESIZES:5008:5:1 LONGSIZE:5009:5:0
FILECAPS:5010:8:1 FILEDIGESTALGO:5011:4:0 BUGURL:5012:6:0 EVR:5013:6:0 NVR:5014:6:0 NEVR:5015:6:0
NEVRA:5016:6:0 HEADERCOLOR:5017:4:0 VERBOSE:5018:4:0 EPOCHNUM:5019:4:0 PREINFLAGS:5020:4:0
POSTINFLAGS:5021:4:0 PREUNFLAGS:5022:4:0 POSTUNFLAGS:5023:4:0 PRETRANSFLAGS:5024:4:0 POSTTRANSFLAGS:5025:4:0
VERIFYSCRIPTFLAGS:5026:4:0 TRIGGERSCRIPTFLAGS:5027:4:1 POLICYNAMES:5030:8:1 POLICYTYPES:5031:8:1
POLICYTYPESINDEXES:5032:4:1 POLICYFLAGS:5033:4:1 VCS:5034:6:0 ORDERNAME:5035:8:1 ORDERVERSION:5036:8:1
ORDERFLAGS:5037:4:1 INSTFILENAMES:5040:8:1 REQUIRENEVRS:5041:8:1 PROVIDENEVRS:5042:8:1 OBSOLETENEVRS:5043:8:1
CONFLICTNEVRS:5044:8:1 FILENLINKS:5045:4:1 RECOMMENDS:5046:8:1 RECOMMENDVERSION:5047:8:1
RECOMMENDFLAGS:5048:4:1 SUGGESTS:5049:8:1 SUGGESTVERSION:5050:8:1 SUGGESTFLAGS:5051:4:1 SUPPLEMENTS:5052:8:1
SUPPLEMENTVERSION:5053:8:1 SUPPLEMENTFLAGS:5054:4:1 ENHANCES:5055:8:1 ENHANCEVERSION:5056:8:1
ENHANCEFLAGS:5057:4:1 RECOMMENDNEVRS:5058:8:1 SUGGESTNEVRS:5059:8:1 SUPPLEMENTNEVRS:5060:8:1
ENHANCENEVRS:5061:8:1 ENCODING:5062:6:0 FILETRIGGERSCRIPTS:5066:8:1 FILETRIGGERSCRIPTPROG:5067:8:1
FILETRIGGERSCRIPTFLAGS:5068:4:1 FILETRIGGERNAME:5069:8:1 FILETRIGGERINDEX:5070:4:1
FILETRIGGERVERSION:5071:8:1 FILETRIGGERFLAGS:5072:4:1 TRANSFILETRIGGERSCRIPTS:5076:8:1
TRANSFILETRIGGERSCRIPTPROG:5077:8:1 TRANSFILETRIGGERSCRIPTFLAGS:5078:4:1 TRANSFILETRIGGERNAME:5079:8:1
TRANSFILETRIGGERINDEX:5080:4:1 TRANSFILETRIGGERVERSION:5081:8:1 TRANSFILETRIGGERFLAGS:5082:4:1
FILETRIGGERPRIORITIES:5084:4:1 TRANSFILETRIGGERPRIORITIES:5085:4:1 FILETRIGGERCONDS:5086:8:1
FILETRIGGERTYPE:5087:8:1 TRANSFILETRIGGERCONDS:5088:8:1 TRANSFILETRIGGERTYPE:5089:8:1 FILESIGNATURES:5090:8:1
FILESIGNATURELENGTH:5091:4:0 PAYLOADDIGEST:5092:8:1 PAYLOADDIGESTALGO:5093:4:0 MODULARITYLABEL:5096:6:0
PAYLOADDIGESTALT:5097:8:1 ARCHSUFFIX:5098:6:0 SPEC:5099:6:0 TRANSLATIONURL:5100:6:0 UPSTREAMRELEASES:5101:6:0`
// other names rpm takes for the same tags
const tagAliases = "C:1054 CONFLICTNAME:1054 E:1003 ENHANCENAME:5055 FILEDIGESTS:1035 HDRID:269 N:1000 O:1090 OBSOLETENAME:1090 OLDENHANCES:1159 OLDSUGGESTS:1156 P:1047 PKGID:261 PROVIDENAME:1047 R:1002 RECOMMENDNAME:5046 REQUIRENAME:1049 SUGGESTNAME:5049 SUPPLEMENTNAME:5052 V:1001"

/**
 * What rpm knows of a tag: its canonical name (upper case, as `rpm.tagnames` gives it), its
 * number, its data type and whether rpm answers a list (`array`) or one value.
 *
 * @since 0.1.0
 * @category models
 */
export interface TagInfo {
  readonly name: string
  readonly tag: number
  readonly type: TagType
  readonly array: boolean
}

const tagsByNumber = new Map<number, TagInfo>()
const tagsByName = new Map<string, TagInfo>()
for (const item of tagTable.split(/\s+/)) {
  if (item === "") continue
  const [name, tag, type, array] = item.split(":")
  const info: TagInfo = { name: name!, tag: Number(tag), type: Number(type) as TagType, array: array === "1" }
  tagsByNumber.set(info.tag, info)
  tagsByName.set(info.name, info)
}
for (const item of tagAliases.split(" ")) {
  const [name, tag] = item.split(":")
  const info = tagsByNumber.get(Number(tag))
  if (info !== undefined) tagsByName.set(name!, info)
}

/**
 * A tag by its rpm name, case-insensitive (`"license"`, `"FILEMD5S"`, `"requirename"`);
 * `undefined` when rpm has no such tag.
 *
 * @since 0.1.0
 * @category tags
 */
export const tagByName = (name: string): TagInfo | undefined => tagsByName.get(name.toUpperCase())

/**
 * A tag by its number; `undefined` when rpm does not know it.
 *
 * @since 0.1.0
 * @category tags
 */
export const tagByNumber = (tag: number): TagInfo | undefined => tagsByNumber.get(tag)

// where rpm puts the signature header's tags when it merges them into the main header
// (headerMergeLegacySigs): the old numbers move, tags in 256..999 keep theirs, others are dropped
const legacySignatureTags: Readonly<Record<number, number>> = {
  [SigTag.SIZE]: 257,
  [SigTag.PGP]: 259,
  [SigTag.MD5]: 261,
  [SigTag.GPG]: 262,
  1006: 263,
  [SigTag.PAYLOADSIZE]: Tag.ARCHIVESIZE
}

/**
 * The main header with the signature header's tags merged in, as rpm reads a package (and
 * Koji sees it): `get(tag)` for any tag, and the tags present (without the region tags, in
 * tag order), as rpm's `hdr.keys()` lists them.
 *
 * @since 0.1.0
 * @category combinators
 */
export const merged = (header: RpmHeader): {
  readonly get: (tag: number) => Value | undefined
  readonly tags: ReadonlyArray<number>
} => {
  const values = new Map<number, Value>()
  for (const entry of header.header.entries) {
    if (!values.has(entry.tag)) values.set(entry.tag, header.header.get(entry.tag)!)
  }
  for (const entry of header.signature.entries) {
    const tag = legacySignatureTags[entry.tag] ?? (entry.tag >= 256 && entry.tag < 1000 ? entry.tag : undefined)
    if (tag !== undefined && !values.has(tag)) values.set(tag, header.signature.get(entry.tag)!)
  }
  const tags = [...values.keys()].filter((tag) => tag < 61 || tag > 63).sort((a, b) => a - b)
  return { get: (tag) => values.get(tag), tags }
}
