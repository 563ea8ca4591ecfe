import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, FastCheck as fc, Schema } from "effect"
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Codec from "../src/xmlrpc/Codec.js"
import { markDoubles } from "../src/xmlrpc/SchemaTypes.js"
import { Double, unwrapDoubles } from "../src/xmlrpc/Value.js"
import type { Value } from "../src/xmlrpc/Value.js"
import * as Samples from "./utils/Samples.js"

const samples = Samples.directory
const sample = (name: string) => Fs.readFileSync(Path.join(samples, name), "utf8")
const sampleFiles = Fs.readdirSync(samples).filter((f) => f.endsWith(".xml")).sort()

const run = <A>(effect: Effect.Effect<A, Codec.XmlRpcError>): A => Effect.runSync(effect)
const attempt = <A>(effect: Effect.Effect<A, Codec.XmlRpcError>): Either.Either<A, Codec.XmlRpcError> =>
  Effect.runSync(Effect.either(effect))

const response = (value: unknown) => run(Codec.encodeResponse(value))
const parseValue = (body: string | Uint8Array, options?: Codec.ParseOptions): Value => {
  const parsed = run(Codec.parseMethodResponse(body, options))
  if (parsed._tag !== "Params") throw new Error("unexpected fault")
  return parsed.value
}
const body = (inner: string) => `<?xml version='1.0'?>\n<methodResponse><params><param>${inner}</param></params></methodResponse>`
const callBody = (inner: string) => `<methodCall><methodName>m</methodName><params><param>${inner}</param></params></methodCall>`

const failure = (effect: Effect.Effect<unknown, Codec.XmlRpcError>): Codec.XmlRpcError => {
  const result = attempt(effect)
  if (Either.isRight(result)) throw new Error(`expected a failure, got ${JSON.stringify(result.right)}`)
  expect(result.left._tag).toBe("XmlRpcError")
  return result.left
}
const reasonOf = (effect: Effect.Effect<unknown, Codec.XmlRpcError>) => failure(effect).reason

const timed = <A>(f: () => A): [A, number] => {
  const start = performance.now()
  const a = f()
  return [a, performance.now() - start]
}

// ---------------------------------------------------------------------------
// Python: Koji's own marshaller (xmlrpc.client + koji.xmlrpcplus.ExtendedMarshaller's i8)
// ---------------------------------------------------------------------------

const pythonPrelude = `
import sys, json, xmlrpc.client as x
class M(x.Marshaller):
    dispatch = x.Marshaller.dispatch.copy()
    def dump_int(self, value, write):
        if value > 2**63 - 1 or value < -2**63:
            raise OverflowError("long int exceeds XML-RPC limits")
        elif value > x.MAXINT or value < x.MININT:
            write("<value><i8>"); write(str(int(value))); write("</i8></value>\\n")
        else:
            write("<value><int>"); write(str(int(value))); write("</int></value>\\n")
    dispatch[int] = dump_int
def dumps(params, methodname=None):
    data = M("utf-8", allow_none=True).dumps(params)
    head = "<?xml version='1.0'?>\\n"
    if methodname:
        return head + "<methodCall>\\n<methodName>" + methodname + "</methodName>\\n" + data + "</methodCall>\\n"
    return head + "<methodResponse>\\n" + data + "</methodResponse>\\n"
`

const python = (script: string, input: unknown): any => {
  const result = spawnSync("python3", ["-c", `${pythonPrelude}\n${script}`], {
    input: JSON.stringify(input),
    encoding: "utf8",
    maxBuffer: 512 * 1024 * 1024
  })
  if (result.status !== 0) throw new Error(`python3 failed: ${result.stderr}`)
  return JSON.parse(result.stdout)
}

// Python loads each body (use_builtin_types, as Koji) and dumps it again with Koji's marshaller.
const pythonRedump = (bodies: ReadonlyArray<string>): Array<string> =>
  python(
    `
out = []
for body in json.load(sys.stdin):
    params, method = x.loads(body, use_builtin_types=True)
    out.append(dumps(params, method) if method else dumps(params))
print(json.dumps(out))
`,
    bodies
  )

// ---------------------------------------------------------------------------
// arbitraries
// ---------------------------------------------------------------------------

// Characters XML 1.0 can carry; "\r" is left out (XML parsers, Python's too, read it as "\n").
const xmlChars = /[^\t\n\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu
const xmlString = fc.string({
  unit: fc.oneof(
    { weight: 4, arbitrary: fc.fullUnicode() },
    { weight: 1, arbitrary: fc.constantFrom("&", "<", ">", "]]>", "\n", "\t", " ", "😀", "𝄞", "&amp;", "\"", "'") }
  )
}).map((s) => s.replace(xmlChars, ""))

const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n })
const date = fc.date({ min: new Date(Date.UTC(1, 0, 1)), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)) })
  .filter((d) => !Number.isNaN(d.getTime()))
  .map((d) => new Date(Math.floor(d.getTime() / 1000) * 1000))

const scalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  xmlString,
  fc.integer(),
  fc.integer({ min: -(2 ** 53) + 1, max: 2 ** 53 - 1 }),
  int64,
  fc.double().filter((n) => !Number.isInteger(n)),
  fc.double().map((n) => new Double(n)),
  fc.uint8Array({ maxLength: 200 }),
  date
)

const value: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("value"), { maxLength: 5 }),
    fc.dictionary(xmlString, tie("value"), { maxKeys: 5 })
  )
})).value

// What a parser reads back: doubles unwrapped, bigints within 2^53 as numbers, integral numbers
// beyond 2^53 as bigints.
const normalize = (v: unknown): unknown => {
  if (v instanceof Double) return v.value
  if (typeof v === "bigint") return v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : v
  if (typeof v === "number") return Number.isInteger(v) && !Number.isSafeInteger(v) ? BigInt(v) : v
  if (v instanceof Uint8Array || v instanceof Date || v === null || typeof v !== "object") return v
  if (Array.isArray(v)) return v.map(normalize)
  const out: Record<string, unknown> = {}
  for (const [k, item] of Object.entries(v)) {
    Object.defineProperty(out, k, { value: normalize(item), enumerable: true, writable: true, configurable: true })
  }
  return out
}

// ---------------------------------------------------------------------------

describe("XML-RPC codec: encoding in Koji's layout", () => {
  it("echo__i8: request and response byte for byte", () => {
    const args = [4102444800, 7, "x", null, true, new Double(1.5)]
    expect(run(Codec.encodeMethodCall("echo", args))).toBe(sample("echo__i8.request.xml"))
    expect(response(args)).toBe(sample("echo__i8.response.xml"))
  })

  it("hello, login, getLastEvent__i8 requests and responses byte for byte", () => {
    expect(run(Codec.encodeMethodCall("hello", []))).toBe(sample("hello.request.xml"))
    expect(response("Hello World")).toBe(sample("hello.response.xml"))
    expect(run(Codec.encodeMethodCall("login", ["admin", "XXXXXXXXXXXXX", { opts: null, __starstar: true }])))
      .toBe(sample("login.request.xml"))
    expect(response({ "session-id": 4, "session-key": "1-XXXXXXXXXXXXXXXXXXX", "header-auth": true }))
      .toBe(sample("login.response.xml"))
    expect(run(Codec.encodeMethodCall("getLastEvent", [{ before: 4102444800, __starstar: true }])))
      .toBe(sample("getLastEvent__i8.request.xml"))
    const Event = Schema.Struct({ id: Schema.Int, ts: Schema.Number })
    const event = Schema.encodeSync(Event)({ id: 21, ts: 1795586947.59753 })
    expect(response(markDoubles(Event.ast, event))).toBe(sample("getLastEvent__i8.response.xml"))
  })

  it("getHost: doubles marked from the schema", () => {
    const Host = Schema.Struct({
      arches: Schema.String,
      capacity: Schema.Number,
      comment: Schema.NullOr(Schema.String),
      description: Schema.NullOr(Schema.String),
      enabled: Schema.Boolean,
      id: Schema.Int.pipe(Schema.positive(), Schema.brand("HostId")),
      name: Schema.String,
      ready: Schema.Boolean,
      task_load: Schema.Number,
      update_ts: Schema.NullOr(Schema.Number),
      user_id: Schema.Int
    })
    const host = Schema.decodeUnknownSync(Host)(parseValue(sample("getHost.response.xml")))
    expect(host.capacity).toBe(2)
    const encoded = markDoubles(Host.ast, Schema.encodeSync(Host)(host))
    expect(encoded).toMatchObject({ capacity: new Double(2), task_load: new Double(0), id: 1, user_id: 3 })
    expect(response(encoded)).toBe(sample("getHost.response.xml"))
    // unmarked, capacity would go out as an int
    expect(response(host)).toContain("<name>capacity</name>\n<value><int>2</int></value>")
  })

  it("faults byte for byte", () => {
    expect(Codec.encodeFault(1004, "tag permission required (logged in as alice)"))
      .toBe(sample("fault-createTag-permission.response.xml"))
    expect(Codec.encodeFault(1000, "No such tagInfo: 'nosuchtag'")).toBe(sample("fault-getTag-missing-strict.response.xml"))
    const dberror = parseFault(sample("fault-createEmptyBuild-dberror.response.xml"))
    expect(Codec.encodeFault(dberror.faultCode, dberror.faultString)).toBe(sample("fault-createEmptyBuild-dberror.response.xml"))
    // never fails: characters XML cannot carry become U+FFFD
    expect(Codec.encodeFault(1, "a\u0000b <&>")).toContain("<string>a\uFFFDb &lt;&amp;&gt;</string>")
  })

  it("every sample re-encodes byte for byte (doubles kept)", () => {
    for (const file of sampleFiles) {
      const text = sample(file)
      if (file.endsWith(".request.xml")) {
        const call = run(Codec.parseMethodCall(text, { keepDoubles: true }))
        expect(run(Codec.encodeMethodCall(call.methodName, call.params)), file).toBe(text)
      } else {
        const parsed = run(Codec.parseMethodResponse(text, { keepDoubles: true }))
        const again = parsed._tag === "Fault"
          ? Codec.encodeFault(parsed.faultCode, parsed.faultString)
          : response(parsed.value)
        expect(again, file).toBe(text)
      }
    }
  })

  it("scalars as Python writes them", () => {
    const one = (v: unknown) => {
      const xml = response(v)
      return xml.slice("<?xml version='1.0'?>\n<methodResponse>\n<params>\n<param>\n".length, -"</param>\n</params>\n</methodResponse>\n".length)
    }
    expect(one(null)).toBe("<value><nil/></value>")
    expect(one(undefined)).toBe("<value><nil/></value>")
    expect(one(true)).toBe("<value><boolean>1</boolean></value>\n")
    expect(one(false)).toBe("<value><boolean>0</boolean></value>\n")
    expect(one(2 ** 31 - 1)).toBe("<value><int>2147483647</int></value>\n")
    expect(one(-(2 ** 31))).toBe("<value><int>-2147483648</int></value>\n")
    expect(one(2 ** 31)).toBe("<value><i8>2147483648</i8></value>\n")
    expect(one(-(2 ** 31) - 1)).toBe("<value><i8>-2147483649</i8></value>\n")
    expect(one(2n ** 53n + 1n)).toBe("<value><i8>9007199254740993</i8></value>\n")
    expect(one(-(2n ** 63n))).toBe("<value><i8>-9223372036854775808</i8></value>\n")
    expect(one(2n ** 63n - 1n)).toBe("<value><i8>9223372036854775807</i8></value>\n")
    expect(one(-(2 ** 63))).toBe("<value><i8>-9223372036854775808</i8></value>\n")
    expect(one(-0)).toBe("<value><int>0</int></value>\n")
    expect(one(12n)).toBe("<value><int>12</int></value>\n")
    expect(one(1.5)).toBe("<value><double>1.5</double></value>\n")
    expect(one(new Double(2))).toBe("<value><double>2.0</double></value>\n")
    expect(one(new Double(-0))).toBe("<value><double>-0.0</double></value>\n")
    expect(one(new Double(1e16))).toBe("<value><double>1e+16</double></value>\n")
    expect(one(new Double(1e15))).toBe("<value><double>1000000000000000.0</double></value>\n")
    expect(one(0.0001)).toBe("<value><double>0.0001</double></value>\n")
    expect(one(0.00001)).toBe("<value><double>1e-05</double></value>\n")
    expect(one(NaN)).toBe("<value><double>nan</double></value>\n")
    expect(one(-Infinity)).toBe("<value><double>-inf</double></value>\n")
    expect(one("a&b<c>d]]>\"'")).toBe("<value><string>a&amp;b&lt;c&gt;d]]&gt;\"'</string></value>\n")
    expect(one("")).toBe("<value><string></string></value>\n")
    expect(one(new Uint8Array())).toBe("<value><base64>\n</base64></value>\n")
    expect(one(new Uint8Array([0, 1, 2, 255]))).toBe("<value><base64>\nAAEC/w==\n</base64></value>\n")
    expect(one(new Uint8Array(60).fill(7))).toBe(
      "<value><base64>\n" + "BwcH".repeat(19) + "\n" + "BwcH".repeat(1) + "\n</base64></value>\n"
    )
    expect(one(new Date(Date.UTC(2025, 6, 2, 16, 29, 15, 123))))
      .toBe("<value><dateTime.iso8601>20250702T16:29:15</dateTime.iso8601></value>\n")
    expect(one(new Date(Date.UTC(5, 0, 2, 3, 4, 5)) as Date).startsWith("<value><dateTime.iso8601>")).toBe(true)
    expect(one([])).toBe("<value><array><data>\n</data></array></value>\n")
    expect(one({})).toBe("<value><struct>\n</struct></value>\n")
    expect(one({ a: 1, skipped: undefined })).toBe(
      "<value><struct>\n<member>\n<name>a</name>\n<value><int>1</int></value>\n</member>\n</struct></value>\n"
    )
    expect(one(new Map([["z", 1], ["1", 2]]))).toBe(
      "<value><struct>\n<member>\n<name>z</name>\n<value><int>1</int></value>\n</member>\n" +
        "<member>\n<name>1</name>\n<value><int>2</int></value>\n</member>\n</struct></value>\n"
    )
  })

  it("refuses what XML-RPC cannot carry", () => {
    expect(reasonOf(Codec.encodeResponse(2n ** 63n))).toBe("overflow")
    expect(reasonOf(Codec.encodeResponse(-(2n ** 63n) - 1n))).toBe("overflow")
    expect(reasonOf(Codec.encodeResponse(2 ** 63))).toBe("overflow")
    expect(reasonOf(Codec.encodeResponse(1e300))).toBe("overflow")
    expect(reasonOf(Codec.encodeResponse([() => 1]))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse(Symbol("s")))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse(new Set([1])))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse(new Map([[1, 1]])))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse("a\u0001b"))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse("lone \uD800 surrogate"))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse({ "\uFFFF": 1 }))).toBe("unencodable")
    expect(reasonOf(Codec.encodeResponse(new Date(NaN)))).toBe("unencodable")
    const cycle: Array<unknown> = []
    cycle.push(cycle)
    expect(reasonOf(Codec.encodeResponse(cycle))).toBe("unencodable")
    let deep: unknown = 1
    for (let i = 0; i < 5000; i++) deep = [deep]
    expect(reasonOf(Codec.encodeResponse(deep))).toBe("too-deep")
    // shared (not cyclic) values are fine
    const shared = { a: 1 }
    expect(parseValue(response([shared, shared]))).toEqual([{ a: 1 }, { a: 1 }])
  })
})

const parseFault = (text: string) => {
  const parsed = run(Codec.parseMethodResponse(text))
  if (parsed._tag !== "Fault") throw new Error("expected a fault")
  return parsed
}

describe("XML-RPC codec: parsing", () => {
  it("parses every wire sample", () => {
    for (const file of sampleFiles) {
      const text = sample(file)
      if (file.endsWith(".request.xml")) {
        const call = attempt(Codec.parseMethodCall(text))
        expect(Either.isRight(call), file).toBe(true)
        // also from bytes
        expect(attempt(Codec.parseMethodCall(new TextEncoder().encode(text)))).toEqual(call)
      } else {
        const parsed = attempt(Codec.parseMethodResponse(text))
        expect(Either.isRight(parsed), file).toBe(true)
      }
    }
  })

  it("reads the samples' values", () => {
    expect(run(Codec.parseMethodCall(sample("echo__i8.request.xml")))).toEqual({
      methodName: "echo",
      params: [4102444800, 7, "x", null, true, 1.5]
    })
    expect(parseValue(sample("getHost.response.xml"))).toMatchObject({ capacity: 2, task_load: 0, id: 1, comment: null })
    expect(parseValue(sample("getLastEvent__i8.response.xml"))).toEqual({ id: 21, ts: 1795586947.59753 })
    expect(parseValue(sample("getLastEvent__i8.response.xml"), { keepDoubles: true }))
      .toEqual({ id: 21, ts: new Double(1795586947.59753) })
    expect(parseFault(sample("fault-createTag-permission.response.xml"))).toEqual({
      _tag: "Fault",
      faultCode: 1004,
      faultString: "tag permission required (logged in as alice)"
    })
    const multi = parseValue(sample("multiCall.response.xml")) as ReadonlyArray<any>
    expect(multi).toHaveLength(3)
    expect(multi[0][0].name).toBe("peer-build")
    expect(multi[1].faultCode).toBe(1000)
    expect(multi[1].traceback[0]).toBe("Traceback (most recent call last):\n")
    const closeTask = run(Codec.parseMethodCall(sample("host.closeTask.request.xml")))
    expect(closeTask.methodName).toBe("host.closeTask")
    // the task result is an XML-RPC document inside a string; it parses too
    const inner = closeTask.params.find((p) => typeof p === "string" && p.startsWith("<?xml")) as string
    expect(Either.isRight(attempt(Codec.parseMethodResponse(inner)))).toBe(true)
  })

  it("integers: int, i4, i8, the Apache extensions; bigint beyond 2^53", () => {
    expect(parseValue(body("<value><int>-7</int></value>"))).toBe(-7)
    expect(parseValue(body("<value><i4> +12 </i4></value>"))).toBe(12)
    expect(parseValue(body("<value><i8>2147483648</i8></value>"))).toBe(2147483648)
    expect(parseValue(body("<value><i8>9007199254740991</i8></value>"))).toBe(9007199254740991)
    expect(parseValue(body("<value><i8>9007199254740993</i8></value>"))).toBe(9007199254740993n)
    expect(parseValue(body("<value><i8>-9223372036854775808</i8></value>"))).toBe(-(2n ** 63n))
    expect(parseValue(body("<value><ex:i8 xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'>5</ex:i8></value>")))
      .toBe(5)
    expect(parseValue(body("<value><i1>1</i1></value>"))).toBe(1)
    expect(parseValue(body("<value><i2>-0</i2></value>"))).toBe(0)
    expect(parseValue(body("<value><biginteger>00012</biginteger></value>"))).toBe(12)
    for (const bad of ["abc", "", "1.5", "1e3", "0x10", "9223372036854775808", "-9223372036854775809", "1".repeat(1000)]) {
      expect(reasonOf(Codec.parseMethodResponse(body(`<value><int>${bad}</int></value>`))), bad).toBe("malformed")
    }
  })

  it("other scalars", () => {
    expect(parseValue(body("<value><double>2.0</double></value>"))).toBe(2)
    expect(parseValue(body("<value><double> -1.5e3 </double></value>"))).toBe(-1500)
    expect(parseValue(body("<value><double>inf</double></value>"))).toBe(Infinity)
    expect(parseValue(body("<value><double>-inf</double></value>"))).toBe(-Infinity)
    expect(parseValue(body("<value><double>nan</double></value>"))).toBeNaN()
    expect(parseValue(body("<value><float>.5</float></value>"))).toBe(0.5)
    expect(reasonOf(Codec.parseMethodResponse(body("<value><double>1.2.3</double></value>")))).toBe("malformed")
    expect(reasonOf(Codec.parseMethodResponse(body("<value><double>constructor</double></value>")))).toBe("malformed")
    expect(parseValue(body("<value><boolean>1</boolean></value>"))).toBe(true)
    expect(parseValue(body("<value><boolean>0</boolean></value>"))).toBe(false)
    for (const bad of ["2", "true", " 1", ""]) {
      expect(reasonOf(Codec.parseMethodResponse(body(`<value><boolean>${bad}</boolean></value>`))), bad).toBe("malformed")
    }
    expect(parseValue(body("<value><nil/></value>"))).toBe(null)
    expect(parseValue(body("<value><nil></nil></value>"))).toBe(null)
    expect(parseValue(body("<value><ex:nil xmlns:ex='http://ws.apache.org/xmlrpc/namespaces/extensions'/></value>")))
      .toBe(null)
    expect(parseValue(body("<value><base64>\nAAEC\n/w==\n</base64></value>"))).toEqual(new Uint8Array([0, 1, 2, 255]))
    expect(parseValue(body("<value><base64/></value>"))).toEqual(new Uint8Array())
    expect(reasonOf(Codec.parseMethodResponse(body("<value><base64>AAE</base64></value>")))).toBe("malformed")
    expect(reasonOf(Codec.parseMethodResponse(body("<value><base64>AA*=</base64></value>")))).toBe("malformed")
    expect(parseValue(body("<value><dateTime.iso8601>20250702T16:29:15</dateTime.iso8601></value>")))
      .toEqual(new Date(Date.UTC(2025, 6, 2, 16, 29, 15)))
    expect(parseValue(body("<value><dateTime.iso8601>2025-07-02T16:29:15Z</dateTime.iso8601></value>")))
      .toEqual(new Date(Date.UTC(2025, 6, 2, 16, 29, 15)))
    expect(parseValue(body("<value><dateTime.iso8601>2025-07-02T18:29:15+02:00</dateTime.iso8601></value>")))
      .toEqual(new Date(Date.UTC(2025, 6, 2, 16, 29, 15)))
    for (const bad of ["20251302T16:29:15", "20250230T00:00:00", "2025070216:29:15", "now"]) {
      expect(reasonOf(Codec.parseMethodResponse(body(`<value><dateTime.iso8601>${bad}</dateTime.iso8601></value>`))), bad)
        .toBe("malformed")
    }
  })

  it("strings: untyped values, whitespace kept, entities, character references, CDATA", () => {
    expect(parseValue(body("<value>plain</value>"))).toBe("plain")
    expect(parseValue(body("<value>  two  spaces\n</value>"))).toBe("  two  spaces\n")
    expect(parseValue(body("<value></value>"))).toBe("")
    expect(parseValue(body("<value/>"))).toBe("")
    expect(parseValue(body("<value><string/></value>"))).toBe("")
    expect(parseValue(body("<value>\n  <string> x </string>\n</value>"))).toBe(" x ")
    expect(parseValue(body("<value>\n  <int>3</int>  </value>"))).toBe(3)
    expect(parseValue(body("<value><string>&amp;&lt;&gt;&quot;&apos;&#65;&#x1F600;</string></value>"))).toBe("&<>\"'A😀")
    expect(parseValue(body("<value><string><![CDATA[<a>&]]]]><![CDATA[>]]></string></value>"))).toBe("<a>&]]>")
    expect(parseValue(body("<value><string>a<!-- comment -->b</string></value>"))).toBe("ab")
    expect(parseValue(body("<value><string>a\r\nb\rc</string></value>"))).toBe("a\nb\nc")
    expect(parseValue(body("<value><string>😀 𝄞 中文 é</string></value>"))).toBe("😀 𝄞 中文 é")
    expect(run(Codec.parseMethodCall("<methodCall><methodName> sp ace </methodName></methodCall>"))).toEqual({
      methodName: " sp ace ",
      params: []
    })
  })

  it("arrays and structs, whitespace between elements ignored", () => {
    expect(parseValue(body(`
      <value>
        <array>
          <data>
            <value><int>1</int></value>
            <value>s</value>
            <value><array><data/></array></value>
            <value><array/></value>
          </data>
        </array>
      </value>`))).toEqual([1, "s", [], []])
    expect(parseValue(body(`
      <value><struct>
        <member> <name>a b</name> <value><int>1</int></value> </member>
        <member><name></name><value><struct/></value></member>
        <member><name>a b</name><value><int>2</int></value></member>
        <member><name>__proto__</name><value>p</value></member>
      </struct></value>`))).toEqual({ "a b": 2, "": {}, ["__proto__"]: "p" })
    const proto = parseValue(body("<value><struct><member><name>__proto__</name><value><int>1</int></value></member></struct></value>"))
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype)
    expect(Object.keys(proto as object)).toEqual(["__proto__"])
  })

  it("reads Python's own output (xmlrpc.client.dumps with Koji's marshaller)", () => {
    const [xmlResponse, xmlCall] = python(
      `
import datetime
values = (["a&b<c>]]>", "😀𝄞", "", " ws ", 2**31, -2**63, 2**53 + 1, 7, 1.5, 2.0, 1e16, 1e-05, None, True, False,
          b"\\x00\\xffbytes" * 30, datetime.datetime(2025, 7, 2, 16, 29, 15), {"k": [1, {"n": None}], "": {}}, []],)
print(json.dumps([dumps(values), dumps(("x", 1), "some.method")]))
`,
      null
    )
    expect(parseValue(xmlResponse)).toEqual([
      "a&b<c>]]>",
      "😀𝄞",
      "",
      " ws ",
      2 ** 31,
      -(2n ** 63n),
      2n ** 53n + 1n,
      7,
      1.5,
      2,
      1e16,
      1e-5,
      null,
      true,
      false,
      new Uint8Array(Buffer.from("\x00\xffbytes".repeat(30), "latin1")),
      new Date(Date.UTC(2025, 6, 2, 16, 29, 15)),
      { k: [1, { n: null }], "": {} },
      []
    ])
    // and we write it back byte for byte (doubles kept)
    expect(response(parseValue(xmlResponse, { keepDoubles: true }))).toBe(xmlResponse)
    expect(run(Codec.parseMethodCall(xmlCall))).toEqual({ methodName: "some.method", params: ["x", 1] })
  })

  it("byte bodies: UTF-8 (with or without BOM), declared encodings", () => {
    const text = body("<value><string>é😀</string></value>")
    const utf8 = new TextEncoder().encode(text)
    expect(parseValue(utf8)).toBe("é😀")
    expect(parseValue(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8]))).toBe("é😀")
    const latin1 = Buffer.from(
      "<?xml version='1.0' encoding='ISO-8859-1'?><methodResponse><params><param><value>\xe9</value></param></params></methodResponse>",
      "latin1"
    )
    expect(parseValue(new Uint8Array(latin1))).toBe("é")
    expect(reasonOf(Codec.parseMethodResponse(new Uint8Array([...utf8.slice(0, 60), 0xff, 0xfe, ...utf8.slice(60)]))))
      .toBe("malformed")
    expect(reasonOf(Codec.parseMethodResponse(new TextEncoder().encode(
      "<?xml version='1.0' encoding='x-no-such'?><methodResponse/>"
    )))).toBe("malformed")
  })
})

describe("XML-RPC codec: malformed bodies are typed errors", () => {
  it("not XML-RPC", () => {
    const bad = [
      "",
      "   \n",
      "not xml",
      "<methodResponse>",
      "<methodResponse></methodResponse>",
      "<methodCall><methodName>m</methodName></methodCall>",
      body("<value><int>1</int><int>2</int></value>"),
      body("<value>text<int>1</int></value>"),
      body("<value><int>1</int>text</value>"),
      body("<value><unknown>1</unknown></value>"),
      body("<value><string><b>x</b></string></value>"),
      body("<value><int><int>1</int></int></value>"),
      body("<value><nil>x</nil></value>"),
      body("<value><array><value>1</value></array></value>"),
      body("<value><array><data/><data/></array></value>"),
      body("<value><struct><value>1</value></struct></value>"),
      body("<value><struct><member><value>1</value></member></struct></value>"),
      body("<value><struct><member><name>a</name></member></struct></value>"),
      body("<value><struct><member><name>a</name><value>1</value><value>2</value></member></struct></value>"),
      body("<value><struct><member><name>a</name><name>b</name><value>1</value></member></struct></value>"),
      body("<value>1</value><value>2</value>"),
      body(""),
      body("junk<value>1</value>"),
      "<methodResponse><params><param><value>1</value></param><param><value>2</value></param></params></methodResponse>",
      "<methodResponse><params></params></methodResponse>",
      "<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
      "<methodResponse><fault><value><struct><member><name>faultCode</name><value>x</value></member></struct></value></fault></methodResponse>",
      "<methodResponse><params><param><value>1</value></param></params><params/></methodResponse>",
      "<methodResponse><other/></methodResponse>",
      "<methodResponse><params><param><value>1</value></param></params></methodResponse><methodResponse/>",
      "<methodResponse><params><param><value>&undefined;</value></param></params></methodResponse>",
      "<methodResponse><params><param><value>&#0;</value></param></params></methodResponse>",
      "<methodResponse><params><param><value>a & b</value></param></params></methodResponse>",
      callBody("<value>1</value>")
    ]
    for (const text of bad) {
      expect(reasonOf(Codec.parseMethodResponse(text)), text).toBe("malformed")
    }
    const badCalls = [
      "<methodCall><params/></methodCall>",
      "<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>",
      "<methodCall><methodName>a<x/></methodName></methodCall>",
      "<methodCall><methodName>m</methodName><params><value>1</value></params></methodCall>",
      "<methodCall><methodName>m</methodName><params><param/></params></methodCall>",
      body("<value>1</value>")
    ]
    for (const text of badCalls) {
      expect(reasonOf(Codec.parseMethodCall(text)), text).toBe("malformed")
    }
    expect(failure(Codec.parseMethodResponse("<methodResponse>")).message).toContain("unclosed")
  })

  it("every truncation of a sample is malformed", () => {
    for (const file of ["echo__i8.response.xml", "getHost.response.xml", "fault-createTag-permission.response.xml"]) {
      const text = sample(file)
      const end = text.lastIndexOf(">") + 1
      for (let i = 0; i < end; i++) {
        expect(reasonOf(Codec.parseMethodResponse(text.slice(0, i))), `${file}[0:${i}]`).toBe("malformed")
      }
    }
    const call = sample("getLastEvent__i8.request.xml")
    for (let i = 0; i < call.lastIndexOf(">") + 1; i++) {
      expect(reasonOf(Codec.parseMethodCall(call.slice(0, i)))).toBe("malformed")
    }
  })

  it("refuses DOCTYPE: entity expansion bombs and external entities", () => {
    const lol = [
      "<!ENTITY lol \"lol\">",
      ...Array.from({ length: 9 }, (_, i) =>
        `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? "" : i};`.repeat(10)}">`)
    ].join("\n")
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE lolz [\n${lol}\n]>\n` +
      "<methodCall><methodName>&lol9;</methodName><params><param><value>&lol9;</value></param></params></methodCall>"
    const [error, ms] = timed(() => failure(Codec.parseMethodCall(bomb)))
    expect(error.reason).toBe("doctype")
    expect(ms).toBeLessThan(2000)
    const xxe = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" +
      "<methodResponse><params><param><value>&x;</value></param></params></methodResponse>"
    expect(reasonOf(Codec.parseMethodResponse(xxe))).toBe("doctype")
    expect(reasonOf(Codec.parseMethodResponse("<!DOCTYPE methodResponse><methodResponse/>"))).toBe("doctype")
  })

  it("5,000-deep nesting is too deep, quickly; the limit is configurable", () => {
    const n = 5000
    const deepArray = body("<value><array><data>".repeat(n) + "</data></array></value>".repeat(n))
    const [error, ms] = timed(() => failure(Codec.parseMethodResponse(deepArray)))
    expect(error.reason).toBe("too-deep")
    expect(ms).toBeLessThan(2000)
    const deepStruct = body("<value><struct><member><name>a</name>".repeat(n) + "</member></struct></value>".repeat(n))
    expect(reasonOf(Codec.parseMethodResponse(deepStruct))).toBe("too-deep")
    // exactly at the default limit is fine, one more is not
    const nested = (k: number) => body("<value><array><data>".repeat(k) + "</data></array></value>".repeat(k))
    expect(Either.isRight(attempt(Codec.parseMethodResponse(nested(Codec.defaultMaxDepth))))).toBe(true)
    expect(reasonOf(Codec.parseMethodResponse(nested(Codec.defaultMaxDepth + 1)))).toBe("too-deep")
    expect(reasonOf(Codec.parseMethodResponse(nested(3), { maxDepth: 2 }))).toBe("too-deep")
    expect(Either.isRight(attempt(Codec.parseMethodResponse(nested(300), { maxDepth: 300 })))).toBe(true)
  })

  it("a 10 MiB body is too large before parsing; the limit is configurable", () => {
    const big = body(`<value><string>${"x".repeat(10 * 1024 * 1024)}</string></value>`)
    const [error, ms] = timed(() => failure(Codec.parseMethodResponse(big)))
    expect(error.reason).toBe("too-large")
    expect(ms).toBeLessThan(2000)
    expect(reasonOf(Codec.parseMethodCall(new Uint8Array(10 * 1024 * 1024)))).toBe("too-large")
    // UTF-8 bytes count, not UTF-16 units
    const wide = body(`<value>${"é".repeat(3 * 1024 * 1024)}</value>`)
    expect(wide.length).toBeLessThan(Codec.defaultMaxBytes)
    expect(reasonOf(Codec.parseMethodResponse(wide))).toBe("too-large")
    expect(reasonOf(Codec.parseMethodResponse(sample("getHost.response.xml"), { maxBytes: 100 }))).toBe("too-large")
    // just under the limit parses
    const fits = body(`<value>${"x".repeat(Codec.defaultMaxBytes - 200)}</value>`)
    expect(Either.isRight(attempt(Codec.parseMethodResponse(fits)))).toBe(true)
  })

  it.prop("mangled samples never throw", [
    fc.constantFrom(...sampleFiles.filter((f) => f.endsWith(".xml") && !f.startsWith("_listapi"))),
    fc.nat(),
    fc.nat({ max: 40 }),
    fc.string({ unit: fc.constantFrom("<", ">", "/", "&", ";", "x", "value", "!", "[", "]", "\"", "'", "=", "#", " ") })
  ], ([file, at, cut, junk]) => {
    const text = sample(file)
    const i = at % (text.length + 1)
    const mangled = text.slice(0, i) + junk + text.slice(i + cut)
    const call = Effect.runSync(Effect.either(Codec.parseMethodCall(mangled)))
    const resp = Effect.runSync(Effect.either(Codec.parseMethodResponse(mangled)))
    if (Either.isLeft(call)) expect(call.left).toBeInstanceOf(Codec.XmlRpcError)
    if (Either.isLeft(resp)) expect(resp.left).toBeInstanceOf(Codec.XmlRpcError)
  }, { fastCheck: { numRuns: 500 } })

  it.prop("random bytes never throw", [fc.uint8Array({ maxLength: 300 })], ([bytes]) => {
    const result = Effect.runSync(Effect.either(Codec.parseMethodResponse(bytes)))
    expect(Either.isLeft(result)).toBe(true)
  })
})

describe("XML-RPC codec: round trips", () => {
  it.prop("value -> response -> value", [value], ([v]) => {
    expect(parseValue(response(v))).toEqual(normalize(v))
  }, { fastCheck: { numRuns: 300 } })

  it.prop("params -> methodCall -> params", [fc.array(value, { maxLength: 4 })], ([params]) => {
    const xml = run(Codec.encodeMethodCall("some.method", params))
    expect(run(Codec.parseMethodCall(xml))).toEqual({ methodName: "some.method", params: params.map(normalize) })
  }, { fastCheck: { numRuns: 200 } })

  it.prop("response -> value (doubles kept) -> the same bytes", [value], ([v]) => {
    const xml = response(v)
    expect(response(parseValue(xml, { keepDoubles: true }))).toBe(xml)
  }, { fastCheck: { numRuns: 200 } })

  it.prop("faults", [fc.integer(), xmlString], ([code, text]) => {
    expect(run(Codec.parseMethodResponse(Codec.encodeFault(code, text))))
      .toEqual({ _tag: "Fault", faultCode: code, faultString: text })
  })

  it("Python parses our output and writes the same bytes; we parse Python's output", () => {
    const values = fc.sample(value, { numRuns: 300, seed: 42 })
    values.push(
      ["a&b<c>d]]>e", "😀𝄞\u{10FFFF}\uFFFD", 2 ** 31, -(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, null, new Double(2)],
      { capacity: new Double(2), id: 1, nested: [[[{}]]], bytes: new Uint8Array(100).fill(255) },
      new Date(Date.UTC(1, 0, 1)),
      [new Double(1e16), new Double(1e-5), new Double(NaN), new Double(-Infinity), new Double(-0), 5e-324, new Double(1.7976931348623157e308)]
    )
    const ours = values.map(response)
    const calls = values.slice(0, 50).map((v, i) => run(Codec.encodeMethodCall(`m.n${i}`, [v, i])))
    const theirs = pythonRedump([...ours, ...calls])
    expect(theirs).toEqual([...ours, ...calls])
    theirs.slice(0, ours.length).forEach((xml, i) => {
      expect(parseValue(xml)).toEqual(normalize(values[i]))
    })
  })

  it("formatDouble is Python's repr(float)", () => {
    const numbers = [
      ...fc.sample(fc.double({ noNaN: true, noDefaultInfinity: true }), { numRuns: 3000, seed: 7 }),
      ...fc.sample(fc.integer().map((n) => n / 1000), { numRuns: 300, seed: 8 }),
      0.1, 0.5, 1, 2, 100, 1e15, 1e16, 1e17, 123456789012345680, 1e21, 1e22, 1e-4, 1e-5, 0.00012345, 5e-324,
      1.7976931348623157e308, 1795586947.59753, 2 ** 53, 2 ** 63
    ].filter((n) => n !== 0)
    const reprs: Array<string> = python("print(json.dumps([repr(float(n)) for n in json.load(sys.stdin)]))", numbers)
    expect(numbers.map(Codec.formatDouble)).toEqual(reprs)
  })
})

describe("markDoubles", () => {
  it("Struct: Number wrapped, Int not", () => {
    const S = Schema.Struct({ id: Schema.Int, capacity: Schema.Number })
    expect(markDoubles(S.ast, { id: 1, capacity: 2 })).toEqual({ id: 1, capacity: new Double(2) })
    expect(markDoubles(Schema.encodedBoundSchema(S).ast, { id: 1, capacity: 2 }))
      .toEqual({ id: 1, capacity: new Double(2) })
    // encodedSchema drops refinements, so Int is indistinguishable from Number there
    expect(markDoubles(Schema.encodedSchema(S).ast, { id: 1, capacity: 2 }))
      .toEqual({ id: new Double(1), capacity: new Double(2) })
    expect(response(markDoubles(S.ast, { id: 1, capacity: 2 }))).toContain("<value><double>2.0</double></value>")
  })

  it("integer refinements and brands stay ints; other refinements stay doubles", () => {
    const S = Schema.Struct({
      a: Schema.Int.pipe(Schema.positive(), Schema.brand("HostId")),
      b: Schema.NonNegativeInt,
      c: Schema.Number.pipe(Schema.int()),
      d: Schema.Number.pipe(Schema.nonNegative()),
      e: Schema.Finite,
      f: Schema.Number.annotations({ jsonSchema: { type: "integer" } }),
      g: Schema.Literal(1, 2)
    })
    expect(markDoubles(S.ast, { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 1 }))
      .toEqual({ a: 1, b: 2, c: 3, d: new Double(4), e: new Double(5), f: 6, g: 1 })
  })

  it("arrays, tuples, records, optional fields, member order kept", () => {
    expect(markDoubles(Schema.Array(Schema.Array(Schema.Number)).ast, [[1, 2], [3]]))
      .toEqual([[new Double(1), new Double(2)], [new Double(3)]])
    const T = Schema.Tuple([Schema.Int, Schema.Number], Schema.String, Schema.Number)
    expect(markDoubles(T.ast, [1, 2, "x", "y", 3])).toEqual([1, new Double(2), "x", "y", new Double(3)])
    expect(markDoubles(Schema.Tuple(Schema.Int).ast, [1, 2])).toEqual([1, 2])
    const R = Schema.Struct({ id: Schema.Int }, Schema.Record({ key: Schema.String, value: Schema.Number }))
    const marked = markDoubles(R.ast, { z: 1, id: 2, a: 3 })
    expect(marked).toEqual({ z: new Double(1), id: 2, a: new Double(3) })
    expect(Object.keys(marked as object)).toEqual(["z", "id", "a"])
    const O = Schema.Struct({ x: Schema.optional(Schema.Number), y: Schema.optionalWith(Schema.Number, { default: () => 1 }) })
    expect(markDoubles(O.ast, {})).toEqual({})
    expect(markDoubles(O.ast, { x: 1, y: 2 })).toEqual({ x: new Double(1), y: new Double(2) })
  })

  it("a schema with nothing to mark answers the value itself; an Int before a Number does not hide it", () => {
    const Plain = Schema.Struct({ id: Schema.Int, name: Schema.String, extra: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
    const value = { id: 1, name: "x", extra: { f: 1.5 } }
    expect(markDoubles(Plain.ast, value)).toBe(value)
    const Mixed = Schema.Struct({ id: Schema.Int, inner: Schema.Struct({ n: Schema.Int, weight: Schema.Number }) })
    expect(markDoubles(Mixed.ast, { id: 1, inner: { n: 2, weight: 3 } }))
      .toEqual({ id: 1, inner: { n: 2, weight: new Double(3) } })
    interface Tree {
      readonly n: number
      readonly kids: ReadonlyArray<Tree>
    }
    const Tree: Schema.Schema<Tree> = Schema.Struct({ n: Schema.Int, kids: Schema.Array(Schema.suspend(() => Tree)) })
    const tree = { n: 1, kids: [{ n: 2, kids: [] }] }
    expect(markDoubles(Tree.ast, tree)).toBe(tree)
  })

  it("NullOr and unions pick the matching member", () => {
    const N = Schema.NullOr(Schema.Number)
    expect(markDoubles(N.ast, null)).toBe(null)
    expect(markDoubles(N.ast, 3)).toEqual(new Double(3))
    const U = Schema.Union(Schema.Int, Schema.Number)
    expect(markDoubles(U.ast, 2)).toBe(2)
    expect(markDoubles(U.ast, 2.5)).toEqual(new Double(2.5))
    const V = Schema.Union(
      Schema.Struct({ kind: Schema.Literal("a"), n: Schema.Int }),
      Schema.Struct({ kind: Schema.Literal("b"), n: Schema.Number })
    )
    expect(markDoubles(V.ast, { kind: "a", n: 1 })).toEqual({ kind: "a", n: 1 })
    expect(markDoubles(V.ast, { kind: "b", n: 1 })).toEqual({ kind: "b", n: new Double(1) })
    expect(markDoubles(V.ast, "neither")).toBe("neither")
  })

  it("Schema.Class (encoded side, instance, type side)", () => {
    class HostInfo extends Schema.Class<HostInfo>("HostInfo")({
      id: Schema.Int,
      capacity: Schema.Number,
      loads: Schema.Array(Schema.NullOr(Schema.Number))
    }) {}
    const instance = new HostInfo({ id: 1, capacity: 2, loads: [1, null] })
    const expected = { id: 1, capacity: new Double(2), loads: [new Double(1), null] }
    expect(markDoubles(HostInfo.ast, Schema.encodeSync(HostInfo)(instance))).toEqual(expected)
    expect(markDoubles(HostInfo.ast, instance)).toEqual(expected)
    expect(markDoubles(Schema.typeSchema(HostInfo).ast, instance)).toEqual(expected)
    const L = Schema.Struct({ hosts: Schema.Array(HostInfo) })
    expect(markDoubles(L.ast, Schema.encodeSync(L)({ hosts: [instance] }))).toEqual({ hosts: [expected] })
  })

  it("transformations use the encoded side; Suspend; Unknown passes through", () => {
    expect(markDoubles(Schema.NumberFromString.ast, "2")).toBe("2")
    const D = Schema.Struct({ when: Schema.Date, n: Schema.Number })
    expect(markDoubles(D.ast, Schema.encodeSync(D)({ when: new Date(0), n: 1 })))
      .toEqual({ when: "1970-01-01T00:00:00.000Z", n: new Double(1) })
    interface Tree {
      readonly value: number
      readonly children: ReadonlyArray<Tree>
    }
    const Tree: Schema.Schema<Tree> = Schema.Struct({
      value: Schema.Number,
      children: Schema.Array(Schema.suspend(() => Tree))
    })
    expect(markDoubles(Tree.ast, { value: 1, children: [{ value: 2, children: [] }] }))
      .toEqual({ value: new Double(1), children: [{ value: new Double(2), children: [] }] })
    const U = Schema.Struct({ extra: Schema.Unknown, any: Schema.Any, rec: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
    const v = { extra: { a: 1, b: [2.5] }, any: 3, rec: { k: 4 } }
    expect(markDoubles(U.ast, v)).toEqual(v)
    expect(markDoubles(Schema.Uint8ArrayFromSelf.ast, new Uint8Array([1]))).toEqual(new Uint8Array([1]))
    // values that do not fit pass through
    expect(markDoubles(Schema.Struct({ n: Schema.Number }).ast, [1])).toEqual([1])
    expect(markDoubles(Schema.Array(Schema.Number).ast, "x")).toBe("x")
    expect(unwrapDoubles(markDoubles(Tree.ast, { value: 1, children: [] }))).toEqual({ value: 1, children: [] })
  })
})
