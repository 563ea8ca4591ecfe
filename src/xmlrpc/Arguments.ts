/**
 * Koji's calling convention on the wire: positional arguments in the method's
 * parameter order, keyword arguments in a trailing struct marked `__starstar`
 * (`koji.encode_args`). A mismatch is Koji's `ParameterError`, worded as Python's
 * `TypeError` (Koji turns that TypeError into the fault).
 *
 * @since 0.1.0
 */
import { Either } from "effect"
import type * as Method from "../api/Method.js"
import { ParameterError } from "../domain/Errors.js"

const isKwargs = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) &&
  !(value instanceof Date) && (value as Record<string, unknown>)["__starstar"] === true

/**
 * Split Koji's wire arguments into positionals and keywords.
 *
 * @since 0.1.0
 * @category combinators
 */
export const split = (
  params: ReadonlyArray<unknown>
): { readonly args: ReadonlyArray<unknown>; readonly kwargs: Readonly<Record<string, unknown>> } => {
  const last = params.at(-1)
  if (!isKwargs(last)) return { args: params, kwargs: {} }
  const { __starstar: _, ...kwargs } = last
  return { args: params.slice(0, -1), kwargs }
}

/**
 * Join positionals and keywords into the keyword form (`koji.encode_args`).
 *
 * @since 0.1.0
 * @category combinators
 */
export const join = (
  args: ReadonlyArray<unknown>,
  kwargs: Readonly<Record<string, unknown>>
): ReadonlyArray<unknown> => Object.keys(kwargs).length === 0 ? args : [...args, { ...kwargs, __starstar: true }]

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`

/**
 * The payload (parameters by name, encoded values) of a call to `info` with Koji's wire arguments.
 *
 * @since 0.1.0
 * @category combinators
 */
export const toPayload = (
  info: Method.MethodInfo,
  params: ReadonlyArray<unknown>
): Either.Either<Record<string, unknown>, ParameterError> => {
  const { args, kwargs } = split(params)
  const fail = (message: string) => Either.left(new ParameterError({ message: `${info.name}() ${message}` }))
  const positional = info.params.filter((p) => p.kind === "positional")
  const rest = info.params.find((p) => p.kind === "rest")
  const payload: Record<string, unknown> = {}
  if (args.length > positional.length && rest === undefined) {
    const required = positional.filter((p) => !p.hasDefault).length
    const takes = required === positional.length
      ? plural(positional.length, "positional argument")
      : `from ${required} to ${plural(positional.length, "positional argument")}`
    return fail(`takes ${takes} but ${args.length} ${args.length === 1 ? "was" : "were"} given`)
  }
  positional.forEach((p, i) => {
    if (i < args.length) payload[p.name] = args[i]
  })
  if (rest !== undefined) payload[rest.name] = args.slice(positional.length)
  const varkw = info.params.find((p) => p.kind === "varkw")
  for (const [name, value] of Object.entries(kwargs)) {
    const param = info.params.find((p) => p.name === name && p.kind !== "rest" && p.kind !== "varkw")
    if (param === undefined && varkw !== undefined) {
      const extra = (payload[varkw.name] ??= {}) as Record<string, unknown>
      extra[name] = value
      continue
    }
    if (param === undefined) return fail(`got an unexpected keyword argument '${name}'`)
    if (name in payload) return fail(`got multiple values for argument '${name}'`)
    payload[name] = value
  }
  const missing = positional.filter((p) => !p.hasDefault && !(p.name in payload))
  if (missing.length > 0) {
    const names = missing.map((p) => `'${p.name}'`)
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`
    return fail(`missing ${plural(missing.length, "required positional argument")}: ${list}`)
  }
  return Either.right(payload)
}

/**
 * The wire arguments of a call from its payload, as a Python caller writes them:
 * the given positional parameters positionally up to the first one left out, the
 * rest as keywords (`**kw` parameters always as keywords).
 *
 * @since 0.1.0
 * @category combinators
 */
export const fromPayload = (info: Method.MethodInfo, payload: Readonly<Record<string, unknown>>): ReadonlyArray<unknown> => {
  const args: Array<unknown> = []
  const kwargs: Record<string, unknown> = {}
  let gap = false
  for (const p of info.params) {
    const given = p.name in payload && payload[p.name] !== undefined
    if (p.kind === "varkw") {
      if (given) Object.assign(kwargs, payload[p.name])
      continue
    }
    if (p.kind === "rest") {
      if (given && !gap) args.push(...(payload[p.name] as ReadonlyArray<unknown>))
      continue
    }
    if (!given) {
      if (p.kind === "positional") gap = true
      continue
    }
    if (p.kind === "positional" && !gap) args.push(payload[p.name])
    else kwargs[p.name] = payload[p.name]
  }
  return join(args, kwargs)
}
