/**
 * The JavaScript side of XML-RPC values, as Koji's Python marshaller sees them.
 *
 * | XML-RPC                                  | JavaScript                                      |
 * | ---------------------------------------- | ----------------------------------------------- |
 * | `<nil/>` (`ex:nil` on input)             | `null`                                          |
 * | `<boolean>`                              | `boolean`                                       |
 * | `<string>`, untyped `<value>`            | `string`                                        |
 * | `<int>`, `<i4>`, `<i8>` (`i1`, `i2`, `biginteger`) | `number`, or `bigint` beyond `Number.MAX_SAFE_INTEGER` |
 * | `<double>` (`float`)                     | `number` (on output: non-integral numbers, or {@link Double}) |
 * | `<base64>`                               | `Uint8Array`                                    |
 * | `<dateTime.iso8601>`                     | `Date` (the naive XML-RPC time read as UTC)     |
 * | `<array>`                                | array                                           |
 * | `<struct>`                               | plain object (on output also a `Map` with string keys) |
 *
 * On output an integral `number` or a `bigint` is an `<int>`, or an `<i8>` beyond signed 32 bits;
 * a value that must be a `<double>` although integral (Koji's `capacity` 2.0) is wrapped in
 * {@link Double}.
 *
 * @since 0.1.0
 */

/**
 * A number that goes on the wire as `<double>` even when integral (Python's `float`).
 *
 * @since 0.1.0
 * @category models
 */
export class Double {
  /**
   * @since 0.1.0
   */
  readonly _tag = "Double" as const
  constructor(
    /** The number. */
    readonly value: number
  ) {}
  /**
   * @since 0.1.0
   */
  toString(): string {
    return `Double(${this.value})`
  }
  /**
   * @since 0.1.0
   */
  toJSON(): number {
    return this.value
  }
}

/**
 * Whether a value is a {@link Double}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDouble = (u: unknown): u is Double => u instanceof Double

/**
 * A struct: string keys to values.
 *
 * @since 0.1.0
 * @category models
 */
export interface Struct {
  readonly [key: string]: Value
}

/**
 * An XML-RPC value in JavaScript (see the module's table).
 *
 * @since 0.1.0
 * @category models
 */
export type Value =
  | null
  | boolean
  | string
  | number
  | bigint
  | Double
  | Uint8Array
  | Date
  | ReadonlyArray<Value>
  | Struct

/**
 * Replace every {@link Double} inside a value by its number (what a parser on the other end
 * would read), copying arrays and structs.
 *
 * @since 0.1.0
 * @category combinators
 */
export const unwrapDoubles = (value: unknown): unknown => {
  if (value instanceof Double) return value.value
  if (Array.isArray(value)) return value.map(unwrapDoubles)
  if (
    typeof value === "object" && value !== null && !(value instanceof Uint8Array) && !(value instanceof Date)
  ) {
    const out: Record<string, unknown> = {}
    const entries = value instanceof Map ? [...value.entries()] : Object.entries(value)
    for (const [k, v] of entries) setMember(out, String(k), unwrapDoubles(v))
    return out
  }
  return value
}

/**
 * Set a member of a plain object, also for the key `__proto__` (as an own property).
 *
 * @since 0.1.0
 * @category utils
 */
export const setMember = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === "__proto__") {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true })
  } else {
    target[key] = value
  }
}
