/**
 * The payload codecs of `Method.codecsOf` code a payload parameter by parameter; they
 * must answer exactly what the payload's struct codecs answer: the same values (defaults
 * applied, keys in the same order, extra keys dropped) and, on a bad payload, the same error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { KojiRpcs } from "../src/api/Api.js"
import * as Method from "../src/api/Method.js"

const rpcs = [...(KojiRpcs.requests.values() as Iterable<any>)].filter((rpc) => Method.infoOf(rpc) !== undefined)

const samples: ReadonlyArray<unknown> = [
  undefined,
  null,
  0,
  7,
  -3,
  2 ** 40,
  1.5,
  "",
  "bench-tag",
  true,
  false,
  [],
  [1, 2],
  ["x86_64"],
  {},
  { id: 1 },
  { name: "x" },
  { key: null }
]

// a seeded generator: the same payloads on every run
const random = (() => {
  let state = 0x2545f491
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    return (state >>> 0) / 2 ** 32
  }
})()

const payloadsOf = (info: Method.MethodInfo): Array<Record<string, unknown>> =>
  Array.from({ length: 60 }, () => {
    const payload: Record<string, unknown> = {}
    for (const param of info.params) {
      if (random() < 0.3) continue
      payload[param.name] = samples[Math.floor(random() * samples.length)]
    }
    if (random() < 0.2) payload.not_a_param = 1
    return payload
  })

const same = (
  mine: Either.Either<unknown, unknown>,
  theirs: Either.Either<unknown, unknown>
) => {
  expect(Either.isRight(mine)).toBe(Either.isRight(theirs))
  if (Either.isRight(mine) && Either.isRight(theirs)) {
    expect(mine.right).toStrictEqual(theirs.right)
    expect(Object.keys(mine.right as object)).toEqual(Object.keys(theirs.right as object))
  } else if (Either.isLeft(mine) && Either.isLeft(theirs)) {
    expect(String(mine.left)).toBe(String(theirs.left))
  }
}

describe("Method.codecsOf payloads", () => {
  it("answer what the struct's codecs answer, for every method", () => {
    let decoded = 0
    for (const rpc of rpcs) {
      const codecs = Method.codecsOf(rpc)
      const decode = Schema.decodeUnknownEither(rpc.payloadSchema)
      const encode = Schema.encodeUnknownEither(rpc.payloadSchema)
      for (const payload of payloadsOf(Method.infoOf(rpc)!)) {
        const mine = codecs.decodePayload(payload)
        same(mine, decode(payload))
        same(codecs.encodePayload(payload), encode(payload))
        if (Either.isRight(mine)) {
          decoded++
          // and back: a decoded payload encodes as the struct encodes it
          same(codecs.encodePayload(mine.right), encode(mine.right))
        }
      }
    }
    // enough payloads were valid for the comparison to mean something
    expect(decoded).toBeGreaterThan(500)
  })

  it("apply defaults, keep an absent keyword absent, and refuse a bad value with the struct's error", () => {
    const getTag = rpcs.find((rpc) => rpc._tag === "getTag")!
    const codecs = Method.codecsOf(getTag)
    expect(Either.getOrThrow(codecs.decodePayload({ tagInfo: "t", ignored: 1 }))).toStrictEqual({
      tagInfo: "t",
      strict: false,
      event: null,
      blocked: false
    })
    const bad = codecs.decodePayload({ tagInfo: "t", strict: "yes" })
    expect(Either.isLeft(bad)).toBe(true)
    expect(String(Either.flip(bad).pipe(Either.getOrThrow))).toBe(
      String(Either.flip(Schema.decodeUnknownEither(getTag.payloadSchema)({ tagInfo: "t", strict: "yes" })).pipe(
        Either.getOrThrow
      ))
    )

    const editTag = rpcs.find((rpc) => rpc._tag === "editTag2")!
    const edit = Either.getOrThrow(Method.codecsOf(editTag).decodePayload({ tagInfo: 1 })) as Record<string, unknown>
    expect("locked" in edit).toBe(false)
  })
})
