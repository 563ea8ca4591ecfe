/**
 * The XML-RPC codec in Koji's dialect (reference section 2.4).
 *
 * Output is byte for byte what Koji sends: Python's `xmlrpc.client.dumps` with Koji's
 * `ExtendedMarshaller` (`allow_none`, `<i8>` beyond signed 32 bits, OverflowError beyond
 * signed 64 bits). Input is parsed with `saxes`, a streaming XML parser, into the values of
 * {@link Value}; the parser is strict where Python is lenient: it refuses DOCTYPE
 * declarations (no entity expansion), unknown elements, stray text between elements, bodies
 * over a size limit (Koji's `MaxRequestLength`, checked before parsing) and array/struct
 * nesting over a depth limit. Every failure is an {@link XmlRpcError}; nothing throws.
 *
 * Where this differs from Python: a string with a character XML 1.0 cannot carry (control
 * characters, lone surrogates) is refused instead of sent as broken XML; the method name is
 * escaped like any text; a struct's integer-like keys come out in JavaScript's key order
 * (pass a `Map` to choose the order). As with Python, a carriage return in a string is sent
 * raw and read back as a newline (XML end-of-line handling).
 *
 * @since 0.1.0
 */
import { Data, Effect } from "effect"
import { Buffer } from "node:buffer"
import { SaxesParser } from "saxes"
import { Double, setMember } from "./Value.js"
import type { Value } from "./Value.js"

// ---------------------------------------------------------------------------
// errors and options
// ---------------------------------------------------------------------------

/**
 * Why a body could not be parsed or a value could not be encoded:
 * - `malformed`: not well-formed XML, not XML-RPC, or a scalar that does not parse;
 * - `too-large`: the body is over `maxBytes`;
 * - `too-deep`: arrays/structs nested deeper than `maxDepth` (on output: 1,000);
 * - `doctype`: the body has a DOCTYPE declaration (refused, so no entity expansion);
 * - `overflow`: an integer beyond signed 64 bits on output (Koji's `OverflowError`);
 * - `unencodable`: a value XML-RPC cannot carry (a function, a cycle, a character XML forbids).
 *
 * @since 0.1.0
 * @category errors
 */
export type XmlRpcErrorReason = "malformed" | "too-large" | "too-deep" | "doctype" | "overflow" | "unencodable"

/**
 * A body that is not acceptable XML-RPC, or a value that cannot be sent as XML-RPC.
 *
 * @since 0.1.0
 * @category errors
 */
export class XmlRpcError extends Data.TaggedError("XmlRpcError")<{
  readonly reason: XmlRpcErrorReason
  readonly message: string
}> {}

/**
 * Koji's `MaxRequestLength`: 4 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxBytes = 4 * 1024 * 1024

/**
 * The default limit of array/struct nesting levels in a parsed body.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxDepth = 100

/**
 * The limit of array/struct nesting levels when encoding (about Python's recursion limit).
 *
 * @since 0.1.0
 * @category constants
 */
export const maxEncodeDepth = 1000

/**
 * Parser limits and options.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParseOptions {
  /** The largest body in bytes (UTF-8 for strings); default {@link defaultMaxBytes}. */
  readonly maxBytes?: number | undefined
  /** The deepest array/struct nesting; default {@link defaultMaxDepth}. */
  readonly maxDepth?: number | undefined
  /**
   * Read `<double>` as a {@link Double} instead of a number, so that re-encoding keeps the type
   * (a proxy, or a test comparing bytes). Default false.
   */
  readonly keepDoubles?: boolean | undefined
}

/**
 * A parsed `<methodCall>`.
 *
 * @since 0.1.0
 * @category models
 */
export interface MethodCall {
  readonly methodName: string
  readonly params: Array<Value>
}

/**
 * A parsed `<methodResponse>`: its single value, or a fault.
 *
 * @since 0.1.0
 * @category models
 */
export type MethodResponse =
  | { readonly _tag: "Params"; readonly value: Value }
  | { readonly _tag: "Fault"; readonly faultCode: number; readonly faultString: string }

// ---------------------------------------------------------------------------
// encoding
// ---------------------------------------------------------------------------

const xmlHeader = "<?xml version='1.0'?>\n"

const MIN_INT = -(2 ** 31)
const MAX_INT = 2 ** 31 - 1
const MIN_I8 = -(2n ** 63n)
const MAX_I8 = 2n ** 63n - 1n
const TWO_63 = 2 ** 63

// Characters XML 1.0 cannot carry (control characters, U+FFFE/U+FFFF, lone surrogates).
const forbiddenChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u
const forbiddenChars = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
const specialChars = /[&<>]/g
// printable ASCII without &, < and > (most names and values): nothing to check further or escape
const plainText = /^[\t\n\r\u0020-\u0025\u0027-\u003B\u003D\u003F-\u007E]*$/
const specialEntity: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" }

const fail = (reason: XmlRpcErrorReason, message: string): never => {
  throw new XmlRpcError({ reason, message })
}

// Python's xmlrpc `escape`: only &, < and >.
const escapeText = (s: string): string => {
  if (plainText.test(s)) return s
  if (forbiddenChar.test(s)) {
    fail("unencodable", `string contains a character XML cannot carry: ${JSON.stringify(s.slice(0, 80))}`)
  }
  return s.replace(specialChars, (c) => specialEntity[c]!)
}

/**
 * Python's `repr(float)`: the shortest round-tripping digits, in exponent form when the
 * decimal exponent is below -4 or above 15 (`1e-05`, `1e+16`), otherwise positional with at
 * least one fractional digit (`2.0`); `inf`, `-inf`, `nan`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatDouble = (x: number): string => {
  if (Number.isNaN(x)) return "nan"
  if (x === Infinity) return "inf"
  if (x === -Infinity) return "-inf"
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0"
  const sign = x < 0 ? "-" : ""
  const [mantissa, exponent] = Math.abs(x).toExponential().split("e") as [string, string]
  const digits = mantissa.replace(".", "")
  const exp = Number(exponent)
  const point = exp + 1
  if (point <= -4 || point > 16) {
    const m = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`
    const e = Math.abs(exp)
    return `${sign}${m}e${exp < 0 ? "-" : "+"}${e < 10 ? "0" : ""}${e}`
  }
  if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`
  if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`
}

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/**
 * Python's `xmlrpc.client._strftime`: `YYYYMMDDTHH:MM:SS` (UTC fields, no fraction).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatDateTime = (date: Date): string => {
  if (Number.isNaN(date.getTime())) return fail("unencodable", "invalid Date")
  const year = date.getUTCFullYear()
  if (year < 1 || year > 9999) return fail("unencodable", `year ${year} is out of range for dateTime.iso8601`)
  return `${pad(year, 4)}${pad(date.getUTCMonth() + 1, 2)}${pad(date.getUTCDate(), 2)}T` +
    `${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}`
}

// the body being written (V8 joins appended strings lazily: cheaper than an array of parts)
class Text {
  text: string
  constructor(start: string) {
    this.text = start
  }
  push(a: string, b?: string, c?: string): void {
    this.text += b === undefined ? a : c === undefined ? a + b : a + b + c
  }
}

const encodeBigInt = (n: bigint, out: Text): void => {
  if (n > MAX_I8 || n < MIN_I8) fail("overflow", "long int exceeds XML-RPC limits")
  const tag = n > BigInt(MAX_INT) || n < BigInt(MIN_INT) ? "i8" : "int"
  out.push(`<value><${tag}>${n}</${tag}></value>\n`)
}

const encodeNumber = (n: number, out: Text): void => {
  if (!Number.isInteger(n)) {
    out.push(`<value><double>${formatDouble(n)}</double></value>\n`)
  } else if (n >= MIN_INT && n <= MAX_INT) {
    out.push(`<value><int>${n === 0 ? 0 : n}</int></value>\n`)
  } else if (n >= -TWO_63 && n < TWO_63) {
    out.push(`<value><i8>${BigInt(n)}</i8></value>\n`)
  } else {
    fail("overflow", "long int exceeds XML-RPC limits")
  }
}

const encodeBase64 = (bytes: Uint8Array, out: Text): void => {
  // Python's base64.encodebytes: lines of 76 characters, each ending in a newline.
  const b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
  out.push("<value><base64>\n")
  for (let i = 0; i < b64.length; i += 76) out.push(b64.slice(i, i + 76), "\n")
  out.push("</base64></value>\n")
}

const describe = (value: unknown): string => {
  if (typeof value === "object" && value !== null) return value.constructor?.name ?? "object"
  return typeof value
}

const isStructLike = (value: object): boolean => {
  const proto = Object.getPrototypeOf(value)
  if (proto === Object.prototype || proto === null) return true
  // Instances of ordinary classes (Data.struct, Schema.Class) are structs of their own
  // enumerable fields, as Python marshals an instance by its __dict__. Built-ins are not.
  return !(
    ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Set ||
    value instanceof WeakMap || value instanceof WeakSet || value instanceof Promise ||
    value instanceof RegExp || value instanceof Error || Symbol.iterator in value
  )
}

const encodeValue = (value: unknown, out: Text, seen: Set<object>, depth: number): void => {
  switch (typeof value) {
    case "string":
      out.push("<value><string>", escapeText(value), "</string></value>\n")
      return
    case "number":
      encodeNumber(value, out)
      return
    case "boolean":
      out.push(value ? "<value><boolean>1</boolean></value>\n" : "<value><boolean>0</boolean></value>\n")
      return
    case "bigint":
      encodeBigInt(value, out)
      return
    case "undefined":
      out.push("<value><nil/></value>")
      return
    case "object":
      break
    default:
      fail("unencodable", `cannot marshal ${typeof value} objects`)
  }
  if (value === null) {
    out.push("<value><nil/></value>")
    return
  }
  const object = value as object
  if (object instanceof Double) {
    out.push(`<value><double>${formatDouble(object.value)}</double></value>\n`)
    return
  }
  if (object instanceof Uint8Array) {
    encodeBase64(object, out)
    return
  }
  if (object instanceof Date) {
    out.push(`<value><dateTime.iso8601>${formatDateTime(object)}</dateTime.iso8601></value>\n`)
    return
  }
  if (seen.has(object)) fail("unencodable", "cannot marshal recursive values")
  if (depth >= maxEncodeDepth) fail("too-deep", `value nested deeper than ${maxEncodeDepth} levels`)
  seen.add(object)
  if (Array.isArray(object)) {
    out.push("<value><array><data>\n")
    for (const item of object) encodeValue(item, out, seen, depth + 1)
    out.push("</data></array></value>\n")
  } else if (object instanceof Map) {
    out.push("<value><struct>\n")
    for (const [k, v] of object) {
      if (typeof k !== "string") fail("unencodable", "dictionary key must be string")
      encodeMember(k as string, v, out, seen, depth)
    }
    out.push("</struct></value>\n")
  } else if (isStructLike(object)) {
    out.push("<value><struct>\n")
    const record = object as Record<string, unknown>
    for (const k of Object.keys(record)) {
      const v = record[k]
      // As in JSON, a member whose value is undefined is absent.
      if (v !== undefined) encodeMember(k, v, out, seen, depth)
    }
    out.push("</struct></value>\n")
  } else {
    fail("unencodable", `cannot marshal ${describe(object)} objects`)
  }
  seen.delete(object)
}

const encodeMember = (key: string, value: unknown, out: Text, seen: Set<object>, depth: number) => {
  out.push("<member>\n<name>", escapeText(key), "</name>\n")
  encodeValue(value, out, seen, depth + 1)
  out.push("</member>\n")
}

const encodeParams = (params: ReadonlyArray<unknown>, out: Text): void => {
  const seen = new Set<object>()
  out.push("<params>\n")
  for (const param of params) {
    out.push("<param>\n")
    encodeValue(param, out, seen, 0)
    out.push("</param>\n")
  }
  out.push("</params>\n")
}

const catchAll = <A>(f: () => A): Effect.Effect<A, XmlRpcError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (e) {
      return Effect.fail(toXmlRpcError(e, "unencodable"))
    }
  })

const toXmlRpcError = (e: unknown, reason: XmlRpcErrorReason): XmlRpcError =>
  e instanceof XmlRpcError
    ? e
    : new XmlRpcError({ reason, message: e instanceof Error ? e.message : String(e) })

/**
 * A `<methodCall>` body, as Koji's `ClientSession` sends it (`xmlrpcplus.dumps(params, name)`).
 * Values are encoded as described in {@link Value}; `undefined` is `<nil/>`, except as a struct
 * member, which is then left out.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeMethodCall = (
  methodName: string,
  params: ReadonlyArray<unknown>
): Effect.Effect<string, XmlRpcError> =>
  catchAll(() => {
    const out = new Text(`${xmlHeader}<methodCall>\n<methodName>${escapeText(methodName)}</methodName>\n`)
    encodeParams(params, out)
    out.push("</methodCall>\n")
    return out.text
  })

/**
 * A `<methodResponse>` body carrying one value, as Koji's hub answers
 * (`dumps((value,), methodresponse=1, allow_none=1)`).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeResponse = (value: unknown): Effect.Effect<string, XmlRpcError> =>
  catchAll(() => {
    const out = new Text(`${xmlHeader}<methodResponse>\n`)
    encodeParams([value], out)
    out.push("</methodResponse>\n")
    return out.text
  })

/**
 * A fault `<methodResponse>` body, as Koji's hub answers an error. Never fails: characters
 * XML cannot carry are replaced by U+FFFD, a non-integral or out-of-range code is sent as it is
 * (Python would send it too).
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeFault = (faultCode: number, faultString: string): string => {
  const out = new Text(`${xmlHeader}<methodResponse>\n<fault>\n<value><struct>\n<member>\n<name>faultCode</name>\n`)
  if (Number.isInteger(faultCode) && Math.abs(faultCode) < TWO_63) encodeNumber(faultCode, out)
  else out.push(`<value><double>${formatDouble(faultCode)}</double></value>\n`)
  out.push(
    "</member>\n<member>\n<name>faultString</name>\n<value><string>",
    faultString.replace(forbiddenChars, "\uFFFD").replace(specialChars, (c) => specialEntity[c]!),
    "</string></value>\n</member>\n</struct></value>\n</fault>\n</methodResponse>\n"
  )
  return out.text
}

// ---------------------------------------------------------------------------
// parsing
// ---------------------------------------------------------------------------

// Element kinds. saxes hands over each tag name as a fresh string; it is looked up once in
// `elementKinds` and everything after compares small integers.
const DOCUMENT = 0
const METHOD_CALL = 1
const METHOD_RESPONSE = 2
const METHOD_NAME = 3
const PARAMS = 4
const PARAM = 5
const FAULT = 6
const VALUE = 7
const ARRAY = 8
const DATA = 9
const STRUCT = 10
const MEMBER = 11
const NAME = 12
const NIL = 13
// scalar types (text content), at FIRST_SCALAR and above
const FIRST_SCALAR = 20
const STRING = 20
const INTEGER = 21
const BOOLEAN = 22
const DOUBLE = 23
const DATE_TIME = 24
const BASE64 = 25

const elementKinds: ReadonlyMap<string, number> = new Map([
  ["methodCall", METHOD_CALL],
  ["methodResponse", METHOD_RESPONSE],
  ["methodName", METHOD_NAME],
  ["params", PARAMS],
  ["param", PARAM],
  ["fault", FAULT],
  ["value", VALUE],
  ["array", ARRAY],
  ["data", DATA],
  ["struct", STRUCT],
  ["member", MEMBER],
  ["name", NAME],
  ["nil", NIL],
  ["string", STRING],
  ["int", INTEGER],
  ["i1", INTEGER],
  ["i2", INTEGER],
  ["i4", INTEGER],
  ["i8", INTEGER],
  ["biginteger", INTEGER],
  ["boolean", BOOLEAN],
  ["double", DOUBLE],
  ["float", DOUBLE],
  ["dateTime.iso8601", DATE_TIME],
  ["base64", BASE64]
])

/** The kinds each kind of element may contain (type elements under `value` are checked apart). */
const allowedChildren: ReadonlyArray<ReadonlyArray<number>> = (() => {
  const table: Array<ReadonlyArray<number>> = []
  table[METHOD_CALL] = [METHOD_NAME, PARAMS]
  table[METHOD_RESPONSE] = [PARAMS, FAULT]
  table[PARAMS] = [PARAM]
  table[PARAM] = [VALUE]
  table[FAULT] = [VALUE]
  table[ARRAY] = [DATA]
  table[DATA] = [VALUE]
  table[STRUCT] = [MEMBER]
  table[MEMBER] = [NAME, VALUE]
  return table
})()

const isType = (kind: number): boolean => kind >= FIRST_SCALAR || kind === NIL || kind === ARRAY || kind === STRUCT

/** One open element and what its children produced. */
class Frame {
  /** Character data (kept for methodName, name, scalars and untyped values). */
  text = ""
  /** The values of child `<value>`s, or of a value's type element. */
  values: Array<Value> | undefined = undefined
  /** methodName/name child text. */
  label: string | undefined = undefined
  /** methodCall/methodResponse: `<params>`' values; array: `<data>`'s values. */
  list: Array<Value> | undefined = undefined
  /** value: a type element was seen; methodResponse: a fault was seen. */
  flag = false
  /** struct: the members so far. */
  members: Record<string, Value> | undefined = undefined
  constructor(
    readonly kind: number,
    /** The tag as written (for messages and the integer tags' names). */
    readonly tag: string
  ) {}
  push(value: Value): void {
    if (this.values === undefined) this.values = [value]
    else this.values.push(value)
  }
  get count(): number {
    return this.values === undefined ? 0 : this.values.length
  }
}

const isXmlSpace = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false
  }
  return true
}

const trimXmlSpace = (s: string): string => {
  let start = 0
  let end = s.length
  while (start < end && isXmlSpace(s[start]!)) start++
  while (end > start && isXmlSpace(s[end - 1]!)) end--
  return s.slice(start, end)
}

const malformed = (message: string): never => fail("malformed", message)

const preview = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s)

const integerSyntax = /^[+-]?[0-9]+$/

const parseInteger = (tag: string, text: string): number | bigint => {
  const s = trimXmlSpace(text)
  if (!integerSyntax.test(s)) return malformed(`bad <${tag}> value ${preview(text)}`)
  const n = Number(s)
  if (Number.isSafeInteger(n)) return n === 0 ? 0 : n
  const digits = s.replace(/^[+-]?0*/, "")
  if (digits.length > 19) return malformed(`<${tag}> value ${preview(text)} exceeds 64 bits`)
  const big = BigInt(s)
  if (big > MAX_I8 || big < MIN_I8) return malformed(`<${tag}> value ${preview(text)} exceeds 64 bits`)
  return big
}

const doubleSyntax = /^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/
const specialDoubles: Record<string, number> = {
  inf: Infinity,
  infinity: Infinity,
  nan: NaN
}

// Python's float(): decimal or exponent notation, or inf/infinity/nan with an optional sign.
const parseDouble = (tag: string, text: string): number => {
  const s = trimXmlSpace(text)
  if (doubleSyntax.test(s)) return Number(s)
  const sign = s.startsWith("-") ? -1 : 1
  const word = (s.startsWith("-") || s.startsWith("+") ? s.slice(1) : s).toLowerCase()
  const special = specialDoubles[word]
  if (special !== undefined && Object.hasOwn(specialDoubles, word)) return sign * special
  return malformed(`bad <${tag}> value ${preview(text)}`)
}

const parseBoolean = (text: string): boolean => {
  // Python accepts exactly "0" and "1".
  if (text === "1") return true
  if (text === "0") return false
  return malformed(`bad boolean value ${preview(text)}`)
}

const dateTimeSyntax =
  /^([0-9]{4})-?([0-9]{2})-?([0-9]{2})T([0-9]{2}):?([0-9]{2}):?([0-9]{2})(?:\.([0-9]{1,9}))?(Z|[+-][0-9]{2}:?[0-9]{2})?$/

// Python's `%Y%m%dT%H:%M:%S`, plus the ISO 8601 variants other implementations send
// (dashes, no colons, a fraction, a zone). Without a zone the time is read as UTC.
const parseDateTime = (text: string): Date => {
  const m = dateTimeSyntax.exec(trimXmlSpace(text))
  if (m === null) return malformed(`bad dateTime.iso8601 value ${preview(text)}`)
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const millis = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, "0"))
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second, millis)
  if (
    year < 1 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day ||
    date.getUTCHours() !== hour || date.getUTCMinutes() !== minute || date.getUTCSeconds() !== second
  ) {
    return malformed(`bad dateTime.iso8601 value ${preview(text)}`)
  }
  const zone = m[8]
  if (zone !== undefined && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))
    date.setTime(date.getTime() - sign * offset * 60_000)
  }
  return date
}

const base64Syntax = /^[A-Za-z0-9+/]*={0,2}$/

const parseBase64 = (text: string): Uint8Array => {
  let s = ""
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (!isXmlSpace(c)) s += c
  }
  if (s.length % 4 !== 0 || !base64Syntax.test(s)) return malformed("bad base64 value")
  return new Uint8Array(Buffer.from(s, "base64"))
}

const scalarValue = (frame: Frame, keepDoubles: boolean): Value => {
  const text = frame.text
  switch (frame.kind) {
    case STRING:
      return text
    case INTEGER:
      return parseInteger(frame.tag, text)
    case BOOLEAN:
      return parseBoolean(text)
    case DOUBLE: {
      const n = parseDouble(frame.tag, text)
      return keepDoubles ? new Double(n) : n
    }
    case DATE_TIME:
      return parseDateTime(text)
    default:
      return parseBase64(text)
  }
}

/** The outcome of a whole document. */
type Outcome =
  | { readonly _tag: "Call"; readonly call: MethodCall }
  | { readonly _tag: "Response"; readonly response: MethodResponse }

class DoctypeRefused {}

// The kind of an element by its name; a prefix is ignored, as Python does (`ex:nil`).
const kindOf = (qualified: string): number | undefined => {
  const kind = elementKinds.get(qualified)
  if (kind !== undefined) return kind
  const colon = qualified.lastIndexOf(":")
  return colon < 0 ? undefined : elementKinds.get(qualified.slice(colon + 1))
}

const utf8Names = new Set(["utf-8", "utf8", "us-ascii", "ascii"])

// The encoding a byte body declares (or its byte order mark), read with saxes from the
// XML declaration alone.
const declaredEncoding = (bytes: Uint8Array): string => {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return "utf-8"
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le"
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be"
  // "<?xml"
  if (!(bytes[0] === 0x3c && bytes[1] === 0x3f && bytes[2] === 0x78 && bytes[3] === 0x6d && bytes[4] === 0x6c)) {
    return "utf-8"
  }
  const end = bytes.indexOf(0x3e)
  if (end < 0 || end > 512) return "utf-8"
  let encoding: string | undefined
  const peek = new SaxesParser()
  peek.on("xmldecl", (decl) => {
    encoding = decl.encoding
  })
  peek.on("error", () => {})
  peek.write(Buffer.from(bytes.buffer, bytes.byteOffset, end + 1).toString("latin1"))
  return encoding === undefined ? "utf-8" : encoding.toLowerCase()
}

const decodeBody = (body: Uint8Array): string => {
  const encoding = declaredEncoding(body)
  const label = utf8Names.has(encoding) ? "utf-8" : encoding
  let decoder: { decode(input: Uint8Array): string }
  try {
    decoder = new TextDecoder(label, { fatal: true })
  } catch {
    return malformed(`unsupported encoding ${preview(encoding)}`)
  }
  try {
    return decoder.decode(body)
  } catch {
    return malformed(`body is not valid ${encoding}`)
  }
}

const parseDocument = (
  body: string | Uint8Array,
  root: "methodCall" | "methodResponse",
  options: ParseOptions | undefined
): Outcome => {
  const maxBytes = options?.maxBytes ?? defaultMaxBytes
  const maxDepth = options?.maxDepth ?? defaultMaxDepth
  const keepDoubles = options?.keepDoubles ?? false
  const size = typeof body === "string"
    ? (body.length > maxBytes ? body.length : Buffer.byteLength(body, "utf8"))
    : body.byteLength
  if (size > maxBytes) fail("too-large", `body is over the limit of ${maxBytes} bytes`)
  const text = typeof body === "string" ? body : decodeBody(body)
  if (isXmlSpace(text)) malformed("empty body")

  const rootKind = root === "methodCall" ? METHOD_CALL : METHOD_RESPONSE
  const stack: Array<Frame> = [new Frame(DOCUMENT, "#document")]
  let depth = 0
  let outcome: Outcome | undefined

  const onOpen = (qualified: string) => {
    const kind = kindOf(qualified)
    const parent = stack[stack.length - 1]!
    if (kind === undefined) return malformed(`unknown element <${qualified}> in <${parent.tag}>`)
    switch (parent.kind) {
      case DOCUMENT:
        if (kind !== rootKind) malformed(`expected <${root}>, found <${qualified}>`)
        break
      case VALUE:
        if (!isType(kind)) malformed(`unknown type <${qualified}> in <value>`)
        if (parent.flag) malformed(`<value> with more than one type`)
        if (!isXmlSpace(parent.text)) malformed(`text ${preview(parent.text)} before <${qualified}> in <value>`)
        parent.flag = true
        parent.text = ""
        break
      default:
        if (allowedChildren[parent.kind]?.includes(kind) !== true) {
          malformed(`unexpected <${qualified}> in <${parent.tag}>`)
        }
        switch (kind) {
          case METHOD_NAME:
            if (parent.label !== undefined) malformed("more than one <methodName>")
            break
          case PARAMS:
          case FAULT:
            if (parent.list !== undefined || parent.flag) malformed(`unexpected <${qualified}> in <${parent.tag}>`)
            break
          case DATA:
            if (parent.list !== undefined) malformed("more than one <data> in <array>")
            break
          case NAME:
            if (parent.label !== undefined || parent.count > 0) malformed("unexpected <name> in <member>")
            break
          case VALUE:
            if (parent.kind === MEMBER && parent.label === undefined) malformed("<member> without <name>")
            if (parent.kind !== DATA && parent.count > 0) malformed(`more than one <value> in <${parent.tag}>`)
            break
        }
    }
    const child = new Frame(kind, qualified)
    if (kind === ARRAY || kind === STRUCT) {
      depth++
      if (depth > maxDepth) fail("too-deep", `arrays/structs nested deeper than ${maxDepth} levels`)
      if (kind === STRUCT) child.members = {}
    }
    stack.push(child)
  }

  const onText = (data: string) => {
    const current = stack[stack.length - 1]!
    const kind = current.kind
    if (kind >= FIRST_SCALAR || kind === METHOD_NAME || kind === NAME || (kind === VALUE && !current.flag)) {
      current.text += data
    } else if (!isXmlSpace(data)) {
      malformed(`unexpected text ${preview(data)} in <${current.tag}>`)
    }
  }

  const onClose = () => {
    const current = stack.pop()!
    const parent = stack[stack.length - 1]!
    switch (current.kind) {
      case METHOD_NAME:
      case NAME:
        parent.label = current.text
        return
      case NIL:
        if (!isXmlSpace(current.text)) malformed("text in <nil>")
        parent.push(null)
        return
      case VALUE:
        parent.push(current.flag ? current.values![0]! : current.text)
        return
      case ARRAY:
        depth--
        parent.push(current.list ?? [])
        return
      case DATA:
        parent.list = current.values ?? []
        return
      case STRUCT:
        depth--
        parent.push(current.members!)
        return
      case MEMBER:
        if (current.label === undefined || current.count !== 1) malformed("<member> without <name> and <value>")
        setMember(parent.members!, current.label!, current.values![0]!)
        return
      case PARAM:
        if (current.count !== 1) malformed("<param> without <value>")
        parent.push(current.values![0]!)
        return
      case PARAMS:
        parent.list = current.values ?? []
        return
      case FAULT:
        if (current.count !== 1) malformed("<fault> without <value>")
        parent.flag = true
        parent.push(current.values![0]!)
        return
      case METHOD_CALL:
        if (current.label === undefined) malformed("<methodCall> without <methodName>")
        outcome = { _tag: "Call", call: { methodName: current.label!, params: current.list ?? [] } }
        return
      case METHOD_RESPONSE:
        outcome = { _tag: "Response", response: responseOf(current) }
        return
      default:
        parent.push(scalarValue(current, keepDoubles))
    }
  }

  const parser = new SaxesParser({ position: true })
  parser.on("doctype", () => {
    throw new DoctypeRefused()
  })
  parser.on("error", (error) => {
    throw new XmlRpcError({ reason: "malformed", message: error.message })
  })
  parser.on("opentag", (tag) => onOpen(tag.name))
  parser.on("closetag", onClose)
  parser.on("text", onText)
  parser.on("cdata", onText)
  try {
    parser.write(text).close()
  } catch (e) {
    if (e instanceof DoctypeRefused) return fail("doctype", "DOCTYPE declarations are not allowed")
    throw e
  }
  if (outcome === undefined) return malformed(`no <${root}>`)
  return outcome
}

const responseOf = (frame: Frame): MethodResponse => {
  if (frame.flag) {
    const fault = frame.values![0]
    if (typeof fault !== "object" || fault === null || Array.isArray(fault) || fault instanceof Uint8Array ||
      fault instanceof Date || fault instanceof Double) {
      return malformed("<fault> value is not a struct")
    }
    const { faultCode, faultString } = fault as Record<string, Value>
    if (typeof faultCode !== "number" || typeof faultString !== "string") {
      return malformed("<fault> struct without faultCode (int) and faultString (string)")
    }
    return { _tag: "Fault", faultCode, faultString }
  }
  if (frame.list === undefined) return malformed("<methodResponse> without <params> or <fault>")
  if (frame.list.length !== 1) return malformed(`<methodResponse> with ${frame.list.length} params (one expected)`)
  return { _tag: "Params", value: frame.list[0]! }
}

const parseWith = <A>(f: () => A): Effect.Effect<A, XmlRpcError> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(f())
    } catch (e) {
      return Effect.fail(toXmlRpcError(e, "malformed"))
    }
  })

/**
 * Parse a `<methodCall>` body (what Koji's hub reads). A `<methodCall>` without `<params>`
 * has no params.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseMethodCall = (
  body: string | Uint8Array,
  options?: ParseOptions
): Effect.Effect<MethodCall, XmlRpcError> =>
  parseWith(() => {
    const outcome = parseDocument(body, "methodCall", options)
    return outcome._tag === "Call" ? outcome.call : malformed("not a <methodCall>")
  })

/**
 * Parse a `<methodResponse>` body (what Koji's client reads): its single value, or its fault.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseMethodResponse = (
  body: string | Uint8Array,
  options?: ParseOptions
): Effect.Effect<MethodResponse, XmlRpcError> =>
  parseWith(() => {
    const outcome = parseDocument(body, "methodResponse", options)
    return outcome._tag === "Response" ? outcome.response : malformed("not a <methodResponse>")
  })
