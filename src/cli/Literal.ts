/**
 * Command-line values as Koji's CLI reads them: `arg_filter` (an int, a float,
 * `None`/`True`/`False`, or else the string itself) and Python literals
 * (`ast.literal_eval`: numbers, strings, `None`/`True`/`False`, lists, tuples, dicts).
 *
 * @since 0.1.0
 */
import { Either } from "effect"

const intPattern = /^\s*[+-]?\d+(?:_\d+)*\s*$/
const digits = String.raw`\d+(?:_\d+)*`
const floatPattern = new RegExp(
  String.raw`^\s*[+-]?(?:(?:${digits})?\.${digits}|${digits}\.?)(?:[eE][+-]?${digits})?\s*$`
)
const specialFloat = /^\s*[+-]?(?:inf|infinity|nan)\s*$/i

const toNumber = (text: string): number => Number(text.trim().replace(/_/g, ""))

/**
 * Python's `int(text)` (base 10), or undefined.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseInt = (text: string): number | undefined => intPattern.test(text) ? toNumber(text) : undefined

/**
 * Python's `float(text)`, or undefined.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseFloat = (text: string): number | undefined => {
  if (floatPattern.test(text)) return toNumber(text)
  if (specialFloat.test(text)) {
    const t = text.trim().toLowerCase()
    if (t.endsWith("nan")) return NaN
    return t.startsWith("-") ? -Infinity : Infinity
  }
  return undefined
}

/**
 * Koji's `arg_filter`: an int, then a float, then `None`/`True`/`False`, else the string.
 *
 * @since 0.1.0
 * @category parsing
 */
export const argFilter = (text: string): unknown => {
  const i = parseInt(text)
  if (i !== undefined) return i
  const f = parseFloat(text)
  if (f !== undefined) return f
  if (text === "None") return null
  if (text === "True") return true
  if (text === "False") return false
  return text
}

/**
 * A value that is not a Python literal.
 *
 * @since 0.1.0
 * @category errors
 */
export class LiteralError extends Error {
  override readonly name = "ValueError"
}

const simpleEscapes: Record<string, string> = {
  "\n": "",
  "\\": "\\",
  "'": "'",
  "\"": "\"",
  a: "\x07",
  b: "\b",
  f: "\f",
  n: "\n",
  r: "\r",
  t: "\t",
  v: "\v"
}

class Parser {
  pos = 0
  constructor(readonly text: string) {}

  fail(message = "malformed node or string"): never {
    throw new LiteralError(message)
  }

  skip() {
    while (this.pos < this.text.length) {
      const c = this.text[this.pos]!
      if (c === " " || c === "\t" || c === "\n" || c === "\r" || c === "\f") this.pos++
      else if (c === "\\" && this.text[this.pos + 1] === "\n") this.pos += 2
      else if (c === "#") {
        while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++
      } else break
    }
  }

  peek(): string | undefined {
    this.skip()
    return this.text[this.pos]
  }

  expect(c: string) {
    if (this.peek() !== c) this.fail()
    this.pos++
  }

  value(): unknown {
    const c = this.peek()
    if (c === undefined) this.fail("unexpected end of input")
    if (c === "[") return this.sequence("[", "]")
    if (c === "(") {
      const items = this.sequence("(", ")", true)
      return items
    }
    if (c === "{") return this.mapping()
    if (c === "+" || c === "-") {
      this.pos++
      const next = this.peek()
      if (next === undefined || !/[\d.]/.test(next)) this.fail()
      const n = this.number()
      return c === "-" ? -n : n
    }
    if (/[\d.]/.test(c)) return this.number()
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos))?.[0]
    if (word !== undefined) {
      const next = this.text[this.pos + word.length]
      if ((next === "'" || next === "\"") && /^(?:[rRbBuU]|[rR][bB]|[bB][rR])$/.test(word)) return this.strings()
      this.pos += word.length
      if (word === "None") return null
      if (word === "True") return true
      if (word === "False") return false
      this.fail()
    }
    if (c === "'" || c === "\"") return this.strings()
    return this.fail()
  }

  number(): number {
    const rest = this.text.slice(this.pos)
    const based = /^0([xXoObB])([0-9a-fA-F_]+)/.exec(rest)
    if (based !== undefined && based !== null) {
      this.pos += based[0].length
      const radix = { x: 16, o: 8, b: 2 }[based[1]!.toLowerCase() as "x" | "o" | "b"]
      const n = Number.parseInt(based[2]!.replace(/_/g, ""), radix)
      if (Number.isNaN(n)) this.fail()
      return n
    }
    const m = /^(?:\d+(?:_\d+)*)?(?:\.(?:\d+(?:_\d+)*)?)?(?:[eE][+-]?\d+(?:_\d+)*)?/.exec(rest)
    const lexeme = m?.[0] ?? ""
    if (lexeme === "" || lexeme === "." || /^\.[eE]/.test(lexeme)) this.fail()
    if (/^0\d/.test(lexeme) && /^\d+$/.test(lexeme.replace(/_/g, "")) && /[1-9]/.test(lexeme)) {
      this.fail("leading zeros in decimal integer literals are not permitted")
    }
    if (/^[jJ]/.test(rest.slice(lexeme.length))) this.fail("complex numbers are not supported")
    this.pos += lexeme.length
    return Number(lexeme.replace(/_/g, ""))
  }

  strings(): string {
    // adjacent literals concatenate: 'a' "b"
    let out = this.string()
    for (;;) {
      const c = this.peek()
      const prefix = /^(?:[rRbBuU]|[rR][bB]|[bB][rR])?['"]/.exec(this.text.slice(this.pos))
      if (c === undefined || prefix === null) return out
      out += this.string()
    }
  }

  string(): string {
    const prefix = /^(?:[rRbBuU]|[rR][bB]|[bB][rR])?/.exec(this.text.slice(this.pos))![0]
    const raw = /r/i.test(prefix)
    this.pos += prefix.length
    const quote = this.text[this.pos]!
    const triple = this.text.startsWith(quote.repeat(3), this.pos)
    const delimiter = triple ? quote.repeat(3) : quote
    this.pos += delimiter.length
    let out = ""
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string literal")
      if (this.text.startsWith(delimiter, this.pos)) {
        this.pos += delimiter.length
        return out
      }
      const c = this.text[this.pos]!
      if (c === "\n" && !triple) this.fail("unterminated string literal")
      if (c !== "\\") {
        out += c
        this.pos++
        continue
      }
      const next = this.text[this.pos + 1]
      if (next === undefined) this.fail("unterminated string literal")
      if (raw) {
        out += c + next
        this.pos += 2
        continue
      }
      this.pos += 2
      if (next in simpleEscapes) {
        out += simpleEscapes[next]
      } else if (next === "x" || next === "u" || next === "U") {
        const width = next === "x" ? 2 : next === "u" ? 4 : 8
        const hex = this.text.slice(this.pos, this.pos + width)
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) this.fail("truncated escape")
        out += String.fromCodePoint(Number.parseInt(hex, 16))
        this.pos += width
      } else if (/[0-7]/.test(next)) {
        const oct = /^[0-7]{0,2}/.exec(this.text.slice(this.pos))![0]
        out += String.fromCodePoint(Number.parseInt(next + oct, 8))
        this.pos += oct.length
      } else {
        out += c + next
      }
    }
  }

  sequence(open: string, close: string, tuple = false): Array<unknown> {
    this.expect(open)
    const items: Array<unknown> = []
    let sawComma = false
    while (this.peek() !== close) {
      items.push(this.value())
      if (this.peek() === ",") {
        this.pos++
        sawComma = true
      } else break
    }
    this.expect(close)
    // `(x)` is x itself, `(x,)` a tuple
    if (tuple && items.length === 1 && !sawComma) return items[0] as Array<unknown>
    return items
  }

  mapping(): unknown {
    this.expect("{")
    if (this.peek() === "}") {
      this.pos++
      return {}
    }
    const first = this.value()
    if (this.peek() !== ":") {
      // a set: no XML-RPC form; keep its members as a list
      const items = [first]
      while (this.peek() === ",") {
        this.pos++
        if (this.peek() === "}") break
        items.push(this.value())
      }
      this.expect("}")
      return items
    }
    const out: Record<string, unknown> = {}
    let key = first
    for (;;) {
      this.expect(":")
      const value = this.value()
      if (typeof key !== "string" && typeof key !== "number" && typeof key !== "boolean" && key !== null) {
        this.fail("unhashable dict key")
      }
      out[key === null ? "None" : key === true ? "True" : key === false ? "False" : String(key)] = value
      if (this.peek() !== ",") break
      this.pos++
      if (this.peek() === "}") break
      key = this.value()
    }
    this.expect("}")
    return out
  }
}

/**
 * Python's `ast.literal_eval` for the values XML-RPC can carry (tuples and sets become lists).
 *
 * @since 0.1.0
 * @category parsing
 */
export const literalEval = (text: string): Either.Either<unknown, LiteralError> => {
  try {
    const parser = new Parser(text)
    const value = parser.value()
    if (parser.peek() === ",") {
      // `1, 2` is a tuple
      const items = [value]
      while (parser.peek() === ",") {
        parser.pos++
        if (parser.peek() === undefined) break
        items.push(parser.value())
      }
      if (parser.peek() !== undefined) parser.fail()
      return Either.right(items)
    }
    if (parser.peek() !== undefined) parser.fail()
    return Either.right(value)
  } catch (e) {
    return Either.left(e instanceof LiteralError ? e : new LiteralError(String(e)))
  }
}

/**
 * `json.loads`.
 *
 * @since 0.1.0
 * @category parsing
 */
export const jsonLoads = (text: string): Either.Either<unknown, LiteralError> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (e) {
    return Either.left(new LiteralError(e instanceof Error ? e.message : String(e)))
  }
}
