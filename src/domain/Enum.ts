/**
 * A typed counterpart of Koji's `koji.Enum`: a fixed set of names with Koji's numbers, looked up
 * both ways, with a schema of the numbers (what travels on the wire and sits in the database).
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

/**
 * Keys an enum member may not use, because the enum object carries its lookups under them.
 *
 * @since 0.1.0
 * @category models
 */
export type Reserved =
  | "identifier"
  | "members"
  | "names"
  | "values"
  | "schema"
  | "nameSchema"
  | "name"
  | "value"
  | "getnum"
  | "is"
  | "isName"

/**
 * The members of an enum: name to Koji's number.
 *
 * @since 0.1.0
 * @category models
 */
export type Members = { readonly [name: string]: number }

/**
 * The name of the member of `M` whose number is `V`.
 *
 * @since 0.1.0
 * @category models
 */
export type NameOf<M extends Members, V extends number> = {
  [K in keyof M & string]: M[K] extends V ? K : never
}[keyof M & string]

/**
 * An enum: its members as properties (`TaskState.OPEN === 1`) plus Koji's both-ways lookup and
 * schemas.
 *
 * @since 0.1.0
 * @category models
 */
export type Enum<M extends Members> = { readonly [K in keyof M]: M[K] } & {
  /** The enum's name, also the schemas' identifier. */
  readonly identifier: string
  /** The frozen name-to-number object. */
  readonly members: { readonly [K in keyof M]: M[K] }
  /** The names, ordered by number. */
  readonly names: ReadonlyArray<keyof M & string>
  /** The numbers, ascending. */
  readonly values: ReadonlyArray<M[keyof M]>
  /** The numbers as a schema (wire and database form). */
  readonly schema: Schema.SchemaClass<M[keyof M]>
  /** The names as a schema (for command lines and configuration). */
  readonly nameSchema: Schema.SchemaClass<keyof M & string>
  /** The name of a number: `TASK_STATES[1]` in Koji. */
  readonly name: {
    <V extends M[keyof M]>(value: V): NameOf<M, V>
    (value: number): (keyof M & string) | undefined
  }
  /** The number of a name: `TASK_STATES["OPEN"]` in Koji. */
  readonly value: {
    <K extends keyof M & string>(name: K): M[K]
    (name: string): M[keyof M] | undefined
  }
  /** Koji's `Enum.getnum`: a name or a number to the number, `undefined` when neither is known. */
  readonly getnum: (key: string | number) => M[keyof M] | undefined
  /** Whether a value is one of the numbers. */
  readonly is: (u: unknown) => u is M[keyof M]
  /** Whether a value is one of the names. */
  readonly isName: (u: unknown) => u is keyof M & string
}

/**
 * The number type of an enum, e.g. `Value<typeof TaskState>` is `0 | 1 | 2 | 3 | 4 | 5`.
 *
 * @since 0.1.0
 * @category models
 */
export type Value<E> = E extends Enum<infer M> ? M[keyof M] : never

/**
 * The name type of an enum, e.g. `Name<typeof TaskState>` is `"FREE" | "OPEN" | ...`.
 *
 * @since 0.1.0
 * @category models
 */
export type Name<E> = E extends Enum<infer M> ? keyof M & string : never

const reserved: ReadonlySet<string> = new Set<Reserved>([
  "identifier",
  "members",
  "names",
  "values",
  "schema",
  "nameSchema",
  "name",
  "value",
  "getnum",
  "is",
  "isName"
])

/**
 * Builds an enum from its members. Names and numbers must both be unique; the numbers are the
 * ones Koji uses (for `koji.Enum` the position in its tuple).
 *
 * @example
 * ```ts
 * const TaskState = Enum.make("TaskState", { FREE: 0, OPEN: 1 })
 * TaskState.OPEN // 1
 * TaskState.name(1) // "OPEN"
 * TaskState.value("OPEN") // 1
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = <const M extends Members>(
  identifier: string,
  members: M & { readonly [K in Reserved]?: never }
): Enum<M> => {
  type V = M[keyof M]
  type N = keyof M & string
  const entries = (Object.entries(members) as Array<[N, V]>).sort(([, a], [, b]) => a - b)
  if (entries.length === 0) {
    throw new Error(`Enum ${identifier} has no members`)
  }
  const byName = new Map<string, V>()
  const byValue = new Map<number, N>()
  for (const [name, value] of entries) {
    if (reserved.has(name)) {
      throw new Error(`Enum ${identifier}: member name ${name} is reserved`)
    }
    if (!Number.isInteger(value)) {
      throw new Error(`Enum ${identifier}: ${name} is not an integer`)
    }
    if (byValue.has(value)) {
      throw new Error(`Enum ${identifier}: ${name} and ${byValue.get(value)} share the number ${value}`)
    }
    byName.set(name, value)
    byValue.set(value, name)
  }
  const names = Object.freeze(entries.map(([name]) => name))
  const values = Object.freeze(entries.map(([, value]) => value))
  const description = `Koji ${identifier}: ${entries.map(([name, value]) => `${name} ${value}`).join(", ")}`
  const schema = Schema.Literal(...values).annotations({ identifier, description })
  const nameSchema = Schema.Literal(...names).annotations({ identifier: `${identifier}Name`, description })
  const is = (u: unknown): u is V => typeof u === "number" && byValue.has(u)
  const isName = (u: unknown): u is N => typeof u === "string" && byName.has(u)
  const lookups = {
    identifier,
    members: Object.freeze({ ...members }),
    names,
    values,
    schema,
    nameSchema,
    name: (value: number) => byValue.get(value),
    value: (name: string) => byName.get(name),
    getnum: (key: string | number) => (typeof key === "number" ? (is(key) ? key : undefined) : byName.get(key)),
    is,
    isName
  }
  return Object.freeze({ ...members, ...lookups }) as unknown as Enum<M>
}

/**
 * Any enum, for code that handles enums generically: every `Enum<M>` is assignable to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Any {
  readonly identifier: string
  readonly members: { readonly [name: string]: number }
  readonly names: ReadonlyArray<string>
  readonly values: ReadonlyArray<number>
  readonly schema: Schema.Schema<any, any>
  readonly nameSchema: Schema.Schema<any, any>
  readonly name: (value: number) => string | undefined
  readonly value: (name: string) => number | undefined
  readonly getnum: (key: string | number) => number | undefined
  readonly is: (u: unknown) => u is number
  readonly isName: (u: unknown) => u is string
}
