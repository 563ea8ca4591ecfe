/**
 * One definition per hub method.
 *
 * A method is an `@effect/rpc` `Rpc` whose payload fields are Koji's parameters
 * **in Koji's order**, with Koji's defaults, annotated with a `MethodInfo`: its Koji
 * name, the parameter list (positional, `*args`, `**kwargs`), who may call it and
 * one line of doc. The typed RPC, the SDK, the XML-RPC decoding, `_listapi` and the
 * CLI all derive from it.
 *
 * ```ts
 * export const getHost = Method.make("getHost", {
 *   params: {
 *     hostInfo: HostInfo,
 *     strict: Method.optional(Schema.Boolean, false),
 *     event: Method.optional(Schema.NullOr(EventId), null)
 *   },
 *   success: Schema.NullOr(Host),
 *   access: "anon",
 *   doc: "Get information about a host"
 * })
 * ```
 *
 * @since 0.1.0
 */
import { Rpc } from "@effect/rpc"
import { Context, Either, Option, ParseResult, Schema, SchemaAST } from "effect"
import { KojiError } from "../domain/Errors.js"

/**
 * Who may call a method: anyone, any logged-in user, a holder of a permission
 * (`admin` holds every permission), or a builder host (Koji's `host.*` calls).
 *
 * @since 0.1.0
 * @category models
 */
export type Access = "anon" | "login" | "host" | { readonly perm: string }

/**
 * How one parameter travels.
 *
 * @since 0.1.0
 * @category models
 */
export interface ParamInfo {
  readonly name: string
  /**
   * `positional` (may also be given by keyword), `rest` (Python `*args`), `keyword` (only by keyword: one of
   * Python's `**kw`), `varkw` (every other keyword argument, as a record: Python's `**kw` itself).
   */
  readonly kind: "positional" | "rest" | "keyword" | "varkw"
  readonly hasDefault: boolean
  readonly default?: unknown
}

/**
 * Everything about a method beyond its schemas.
 *
 * @since 0.1.0
 * @category models
 */
export interface MethodInfo {
  readonly name: string
  readonly params: ReadonlyArray<ParamInfo>
  /** The name of Koji's `**kwargs` catch-all, when the method has keyword-only parameters. */
  readonly varkw: string | undefined
  readonly access: Access
  readonly doc: string
  /** Hidden from `_listapi` and `system.listMethods` (as Koji hides `multiCall`). */
  readonly hidden: boolean
  /**
   * The method never writes: the hub runs it without a transaction (or a multicall savepoint),
   * so it costs one round trip less and a long wait holds no transaction open.
   */
  readonly readOnly: boolean
}

/**
 * The annotation that carries a method's `MethodInfo` on its `Rpc`.
 *
 * @since 0.1.0
 * @category tags
 */
export class Info extends Context.Tag("koji/api/MethodInfo")<Info, MethodInfo>() {}

const ParamKind = Symbol.for("koji/api/Method/ParamKind")

interface Marked {
  readonly [ParamKind]: {
    readonly kind: ParamInfo["kind"]
    readonly default: unknown
    /** The parameter's own schema, and what an absent (or undefined) value becomes. */
    readonly schema: Schema.Schema.Any
    readonly absent: "default" | "absent"
  }
}

const mark = <A extends object>(
  value: A,
  kind: ParamInfo["kind"],
  defaultValue: unknown,
  schema: Schema.Schema.Any,
  absent: "default" | "absent" = "default"
): A => Object.assign(value, { [ParamKind]: { kind, default: defaultValue, schema, absent } })

// `NullOr(X)` as `Union(Null, X)` when X takes no null itself: the same values, but Koji's
// callers mostly send None for an optional parameter, and a union tries its members in order
const nullFirst = <S extends Schema.Schema.Any>(schema: S): S => {
  const ast = schema.ast
  if (!SchemaAST.isUnion(ast)) return schema
  const last = ast.types.at(-1)
  if (last === undefined || !SchemaAST.isLiteral(last) || last.literal !== null) return schema
  const others = ast.types.slice(0, -1)
  if (others.some((member) => Schema.is(Schema.make(SchemaAST.encodedAST(member)))(null))) return schema
  return Schema.make(SchemaAST.Union.make([last, ...others], ast.annotations)) as unknown as S
}

/**
 * An optional parameter with Koji's default (applied when the caller leaves it out).
 *
 * @since 0.1.0
 * @category constructors
 */
export const optional = <S extends Schema.Schema.Any>(schema: S, defaultValue: Schema.Schema.Type<S>) => {
  const first = nullFirst(schema)
  return mark(Schema.optionalWith(first, { default: () => defaultValue }), "positional", defaultValue, first)
}

/**
 * A keyword-only parameter (one of Koji's `**kw`), with its default.
 *
 * @since 0.1.0
 * @category constructors
 */
export const keyword = <S extends Schema.Schema.Any>(schema: S, defaultValue: Schema.Schema.Type<S>) => {
  const first = nullFirst(schema)
  return mark(Schema.optionalWith(first, { default: () => defaultValue }), "keyword", defaultValue, first)
}

/**
 * A keyword-only parameter that is absent unless given (for `**kw` edits where "not given" differs from null).
 *
 * @since 0.1.0
 * @category constructors
 */
export const keywordOption = <S extends Schema.Schema.Any>(schema: S) =>
  mark(Schema.optional(schema), "keyword", undefined, schema, "absent")

/**
 * Python's `*args`: every remaining positional argument, as an array.
 *
 * @since 0.1.0
 * @category constructors
 */
export const rest = <S extends Schema.Schema.Any>(schema: S) => {
  const array = Schema.Array(schema)
  return mark(Schema.optionalWith(array, { default: () => [] }), "rest", [], array)
}

/**
 * Python's `**kw` itself: every keyword argument no other parameter takes, as a record.
 *
 * @since 0.1.0
 * @category constructors
 */
export const kwargs = () => {
  const record = Schema.Record({ key: Schema.String, value: Schema.Unknown })
  return mark(Schema.optionalWith(record, { default: () => ({}) }), "varkw", {}, record)
}

/**
 * Define a hub method.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <
  const Name extends string,
  const Params extends Schema.Struct.Fields = {},
  Success extends Schema.Schema.Any = typeof Schema.Null
>(name: Name, options: {
  readonly params?: Params
  readonly success?: Success
  readonly access: Access
  readonly doc: string
  readonly varkw?: string
  readonly hidden?: boolean
  readonly readOnly?: boolean
}) => {
  const fields = options.params ?? ({} as Params)
  const params: Array<ParamInfo> = Object.entries(fields).map(([param, field]) => {
    const marked = (field as Partial<Marked>)[ParamKind]
    return marked === undefined
      ? { name: param, kind: "positional", hasDefault: false }
      : { name: param, kind: marked.kind, hasDefault: true, default: marked.default }
  })
  const varkw = options.varkw ?? params.find((p) => p.kind === "varkw")?.name
    ?? (params.some((p) => p.kind === "keyword") ? "kw" : undefined)
  return Rpc.make(name, {
    payload: fields,
    success: (options.success ?? Schema.Null) as Success,
    error: KojiError
  }).annotate(Info, {
    name,
    params,
    varkw,
    access: options.access,
    doc: options.doc,
    hidden: options.hidden ?? false,
    readOnly: options.readOnly ?? false
  })
}

/**
 * The `MethodInfo` of an rpc, if it was made with `make`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const infoOf = (rpc: Rpc.AnyWithProps): MethodInfo | undefined =>
  Option.getOrUndefined(Context.getOption(rpc.annotations, Info))

/**
 * A method of a group: its rpc and its `MethodInfo`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly rpc: Rpc.AnyWithProps
  readonly info: MethodInfo
}

/**
 * The synchronous codecs of a method's payload and answer (built once per rpc), for the paths
 * that code many calls at once (multicall).
 *
 * @since 0.1.0
 * @category models
 */
export interface Codecs {
  /** The parameters as they arrive (defaults applied, values checked). */
  readonly decodePayload: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
  /** The parameters as a client sends them. */
  readonly encodePayload: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
  /** An answer as a client reads it. */
  readonly decodeSuccess: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
  /** An answer as the hub sends it. */
  readonly encodeSuccess: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
}

const codecs = new WeakMap<Rpc.AnyWithProps, Codecs>()

/**
 * The `Codecs` of an rpc. The payload of a method made by `make` is coded parameter by
 * parameter: the same answers as its struct's codecs (which give the errors), without the
 * second check of each value that the struct's defaults cost.
 *
 * @since 0.1.0
 * @category combinators
 */
export const codecsOf = (rpc: Rpc.AnyWithProps): Codecs => {
  let found = codecs.get(rpc)
  if (found === undefined) {
    const payload = rpc.payloadSchema as Schema.Schema<unknown, unknown>
    const success = rpc.successSchema as Schema.Schema<unknown, unknown>
    const decodePayload = Schema.decodeUnknownEither(payload)
    const encodePayload = Schema.encodeUnknownEither(payload)
    const params = paramCodecs(payload)
    found = {
      decodePayload: params === undefined ? decodePayload : byParam(params, "decode", decodePayload),
      encodePayload: params === undefined ? encodePayload : byParam(params, "encode", encodePayload),
      decodeSuccess: Schema.decodeUnknownEither(success),
      encodeSuccess: Schema.encodeUnknownEither(success)
    }
    codecs.set(rpc, found)
  }
  return found
}

interface ParamCodec {
  readonly name: string
  readonly absent: "required" | "default" | "absent"
  readonly default: unknown
  readonly decode: (u: unknown) => Either.Either<unknown, ParseResult.ParseIssue>
  readonly encode: (u: unknown) => Either.Either<unknown, ParseResult.ParseIssue>
}

// a codec per parameter of a payload made by `make` (undefined for any other payload)
const paramCodecs = (payload: Schema.Schema<unknown, unknown>): ReadonlyArray<ParamCodec> | undefined => {
  const fields = (payload as unknown as { readonly fields?: Schema.Struct.Fields }).fields
  // (an empty struct answers any object as it is)
  if (fields === undefined || Object.keys(fields).length === 0) return undefined
  const params: Array<ParamCodec> = []
  for (const [name, field] of Object.entries(fields)) {
    const marked = (field as Partial<Marked>)[ParamKind]
    const schema = (marked?.schema ?? field) as Schema.Schema<unknown, unknown>
    if (marked === undefined && !Schema.isSchema(field)) return undefined
    params.push({
      name,
      absent: marked?.absent ?? "required",
      default: marked?.default,
      decode: ParseResult.decodeUnknownEither(schema),
      encode: ParseResult.encodeUnknownEither(schema)
    })
  }
  return params
}

// a payload coded parameter by parameter: the same answer as the struct's codec, without the
// second check the struct's defaults cost (their transformation checks each value again); any
// failure is left to the struct's codec, which gives the error
const byParam = (
  params: ReadonlyArray<ParamCodec>,
  direction: "decode" | "encode",
  whole: (u: unknown) => Either.Either<unknown, ParseResult.ParseError>
) =>
(u: unknown): Either.Either<unknown, ParseResult.ParseError> => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return whole(u)
  const input = u as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const param of params) {
    const value = input[param.name]
    if (value === undefined) {
      // a default applies when decoding; encoding takes every value given (`withDefaults`)
      if (param.absent === "default" && direction === "decode") out[param.name] = param.default
      else if (param.absent === "absent") {
        if (param.name in input) out[param.name] = undefined
      } else return whole(u)
      continue
    }
    const coded = param[direction](value)
    if (Either.isLeft(coded)) return whole(u)
    out[param.name] = coded.right
  }
  return Either.right(out)
}

/**
 * A payload with the defaults of the parameters it leaves out (what the payload's constructor
 * adds, without its validation: encoding the payload checks it). An rpc not made by `make`
 * goes through its payload's constructor.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDefaults = (rpc: Rpc.AnyWithProps, payload: unknown): unknown => {
  const params = infoOf(rpc)?.params
  if (params === undefined) return (rpc.payloadSchema as any).make?.(payload) ?? payload
  if (typeof payload !== "object" || payload === null) return payload
  const filled: Record<string, unknown> = { ...payload }
  for (const param of params) {
    if (param.hasDefault && filled[param.name] === undefined) filled[param.name] = param.default
  }
  return filled
}

/**
 * The methods of a group by Koji name (the rpc tag).
 *
 * @since 0.1.0
 * @category combinators
 */
export const methodsOf = (group: { readonly requests: ReadonlyMap<string, Rpc.Any> }): ReadonlyMap<string, Entry> => {
  const methods = new Map<string, Entry>()
  for (const rpc of group.requests.values() as Iterable<Rpc.AnyWithProps>) {
    const info = infoOf(rpc)
    if (info !== undefined) methods.set(info.name, { rpc, info })
  }
  return methods
}

/**
 * Python's `repr` of a default value, as Koji prints it in `argdesc`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const pythonRepr = (value: unknown): string => {
  if (value === null || value === undefined) return "None"
  if (value === true) return "True"
  if (value === false) return "False"
  if (typeof value === "number") return String(value)
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(", ")}}`
  }
  return String(value)
}

/**
 * Koji's `argdesc`: `(hostInfo, strict=False, event=None)`.
 *
 * @since 0.1.0
 * @category combinators
 */
export const argdesc = (info: MethodInfo): string => {
  const parts = info.params.flatMap((p): Array<string> => {
    switch (p.kind) {
      case "positional":
        return [p.hasDefault ? `${p.name}=${pythonRepr(p.default)}` : p.name]
      case "rest":
        return [`*${p.name}`]
      case "keyword":
      case "varkw":
        return []
    }
  })
  if (info.varkw !== undefined) parts.push(`**${info.varkw}`)
  return `(${parts.join(", ")})`
}

/**
 * One `_listapi` entry, as Koji answers it: `{name, doc, argspec, argdesc, args}`
 * (argspec is Python's `getfullargspec`: args, varargs, varkw, defaults, kwonlyargs, kwonlydefaults, annotations).
 *
 * @since 0.1.0
 * @category combinators
 */
export const listapiEntry = (info: MethodInfo) => {
  const positional = info.params.filter((p) => p.kind === "positional")
  const defaults = positional.filter((p) => p.hasDefault).map((p) => p.default ?? null)
  const varargs = info.params.find((p) => p.kind === "rest")?.name ?? null
  return {
    name: info.name,
    doc: info.doc,
    argspec: [
      positional.map((p) => p.name),
      varargs,
      info.varkw ?? null,
      defaults.length > 0 ? defaults : null,
      [],
      null,
      {}
    ],
    argdesc: argdesc(info),
    args: [
      ...positional.map((p) => p.hasDefault ? [p.name, p.default ?? null] : p.name),
      ...(varargs === null ? [] : [varargs]),
      ...(info.varkw === undefined ? [] : [info.varkw])
    ]
  }
}

/**
 * Login and logout calls: allowed while the hub is locked out, and for expired sessions.
 *
 * @since 0.1.0
 * @category combinators
 */
export const isAuthCall = (name: string): boolean => name === "login" || name === "sslLogin" || name === "logout"
