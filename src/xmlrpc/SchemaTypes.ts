/**
 * XML-RPC types from Effect schemas: where a schema says "float", the value goes out as
 * `<double>` even when integral, as Python sends a `float` (Koji's host `capacity` 2.0 is
 * `<double>2.0</double>`, never `<int>2</int>`).
 *
 * @since 0.1.0
 */
import { Schema, SchemaAST } from "effect"
import { Double, setMember } from "./Value.js"

const isIntegerNode = (ast: SchemaAST.AST): boolean => {
  const annotations = ast.annotations
  if (annotations[SchemaAST.SchemaIdAnnotationId] === Schema.IntSchemaId) return true
  const jsonSchema = annotations[SchemaAST.JSONSchemaAnnotationId]
  return typeof jsonSchema === "object" && jsonSchema !== null &&
    (jsonSchema as { readonly type?: unknown }).type === "integer"
}

const guards = new WeakMap<SchemaAST.AST, (u: unknown) => boolean>()

// Whether an encoded value fits a union member: its encoded side with the refinements that
// can be checked there (`Schema.Int` stays an integer check), so `Union(Int, Number)` tells
// 2 from 2.5 and a `Schema.Class` member matches its plain-object encoded form.
const fits = (member: SchemaAST.AST, value: unknown): boolean => {
  let guard = guards.get(member)
  if (guard === undefined) {
    guard = Schema.is(Schema.make(SchemaAST.encodedBoundAST(member)))
    guards.set(member, guard)
  }
  return guard(value)
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array) &&
  !(value instanceof Date) && !(value instanceof Double) && !(value instanceof Map)

const walk = (ast: SchemaAST.AST, value: unknown, integer: boolean): unknown => {
  switch (ast._tag) {
    case "NumberKeyword":
      return typeof value === "number" && !integer && !isIntegerNode(ast) ? new Double(value) : value
    case "Refinement":
      return walk(ast.from, value, integer || isIntegerNode(ast))
    case "Transformation":
      // The value is encoded: it has the shape of the `from` side.
      return walk(ast.from, value, false)
    case "Suspend":
      return walk(ast.f(), value, integer)
    case "Declaration": {
      // A declaration on the encoded side is its own encoded form (Date, Uint8Array, ...),
      // except for class-like declarations with a surrogate (Schema.Class's type side).
      const surrogate = ast.annotations[SchemaAST.SurrogateAnnotationId] as SchemaAST.AST | undefined
      return surrogate !== undefined && SchemaAST.isTypeLiteral(surrogate) && isRecord(value)
        ? walk(surrogate, value, false)
        : value
    }
    case "Union": {
      for (const member of ast.types) {
        if (fits(member, value)) return walk(member, value, integer)
      }
      return value
    }
    case "TupleType":
      return Array.isArray(value) ? walkTuple(ast, value) : value
    case "TypeLiteral":
      return isRecord(value) ? walkTypeLiteral(ast, value) : value
    default:
      // Literals, strings, booleans, Unknown/Any and the rest pass through unchanged.
      return value
  }
}

const walkTuple = (ast: SchemaAST.TupleType, value: ReadonlyArray<unknown>): Array<unknown> => {
  const { elements, rest } = ast
  const head = rest[0]?.type
  const tail = rest.slice(1)
  const tailStart = value.length - tail.length
  return value.map((item, i) => {
    if (i < elements.length) return walk(elements[i]!.type, item, false)
    if (head === undefined) return item
    if (tail.length > 0 && i >= tailStart) return walk(tail[i - tailStart]!.type, item, false)
    return walk(head, item, false)
  })
}

const walkTypeLiteral = (ast: SchemaAST.TypeLiteral, value: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  // The value's own key order is kept: it is the order of the struct's members on the wire.
  for (const key of Object.keys(value)) {
    const item = value[key]
    const property = ast.propertySignatures.find((ps) => ps.name === key)
    if (property !== undefined) {
      setMember(out, key, walk(property.type, item, false))
      continue
    }
    const index = ast.indexSignatures.find((is) =>
      is.parameter._tag !== "SymbolKeyword" && fits(is.parameter, key)
    )
    setMember(out, key, index === undefined ? item : walk(index.type, item, false))
  }
  return out
}

/**
 * Wrap in {@link Double} every number that `ast` says is a float: a `Schema.Number` (a
 * `NumberKeyword`) that no integer refinement (`Schema.Int`, `Schema.int()`, anything annotated
 * with JSON schema type `integer`, and so branded ids built on `Schema.Int`) narrows. Integers
 * stay plain numbers, which the codec sends as `<int>`.
 *
 * `value` is an *encoded* value (what `Schema.encode` produced), so a `Transformation` is walked
 * on its `from` (encoded) side. Pass the schema's own AST (or `Schema.encodedBoundSchema`'s):
 * `Schema.encodedSchema` drops refinements, so there `Schema.Int` is a plain number. Struct
 * fields and index signatures, tuple elements and rest, unions (the first member whose encoded
 * side accepts the value), refinements, suspensions and class declarations are followed; other
 * nodes (Unknown, Any, literals, strings, ...) and values that do not fit the schema pass through
 * unchanged. Arrays and structs are copied, keeping their member order.
 *
 * @since 0.1.0
 * @category combinators
 */
export const markDoubles = (ast: SchemaAST.AST, value: unknown): unknown =>
  holdsDoubles(ast) ? walk(ast, value, false) : value

const doubles = new WeakMap<SchemaAST.AST, boolean>()

// Whether a value of `ast` may hold a number to mark (a `Schema.Number` outside an integer
// refinement): most records hold none, and are answered as they are, not walked and copied.
const holdsDoubles = (ast: SchemaAST.AST): boolean => {
  let found = doubles.get(ast)
  if (found === undefined) {
    found = search(ast, false, new Set())
    doubles.set(ast, found)
  }
  return found
}

// `seen`: the suspended (recursive) schemas entered already
const search = (ast: SchemaAST.AST, integer: boolean, seen: Set<SchemaAST.AST>): boolean => {
  switch (ast._tag) {
    case "NumberKeyword":
      return !integer && !isIntegerNode(ast)
    case "Refinement":
      return search(ast.from, integer || isIntegerNode(ast), seen)
    case "Transformation":
      return search(ast.from, false, seen)
    case "Suspend":
      if (seen.has(ast)) return false
      seen.add(ast)
      return search(ast.f(), integer, seen)
    case "Declaration": {
      const surrogate = ast.annotations[SchemaAST.SurrogateAnnotationId] as SchemaAST.AST | undefined
      return surrogate !== undefined && SchemaAST.isTypeLiteral(surrogate) && search(surrogate, false, seen)
    }
    case "Union":
      return ast.types.some((member) => search(member, integer, seen))
    case "TupleType":
      return ast.elements.some((e) => search(e.type, false, seen)) || ast.rest.some((r) => search(r.type, false, seen))
    case "TypeLiteral":
      return ast.propertySignatures.some((ps) => search(ps.type, false, seen)) ||
        ast.indexSignatures.some((is) => search(is.type, false, seen))
    default:
      return false
  }
}

/**
 * {@link markDoubles} for a schema: encode-side values ready for the XML-RPC codec.
 *
 * @since 0.1.0
 * @category combinators
 */
export const markDoublesWith = <A, I, R>(schema: Schema.Schema<A, I, R>) => (value: I): unknown =>
  markDoubles(schema.ast, value)
