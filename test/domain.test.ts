import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Exit, Schema } from "effect"
import * as Build from "../src/domain/Build.js"
import * as Buildroot from "../src/domain/Buildroot.js"
import * as Channel from "../src/domain/Channel.js"
import * as Constants from "../src/domain/Constants.js"
import * as Enum from "../src/domain/Enum.js"
import * as Enums from "../src/domain/Enums.js"
import * as Errors from "../src/domain/Errors.js"
import * as Event from "../src/domain/Event.js"
import * as Host from "../src/domain/Host.js"
import * as Ids from "../src/domain/Ids.js"
import * as Permission from "../src/domain/Permission.js"
import * as Repo from "../src/domain/Repo.js"
import * as Rpm from "../src/domain/Rpm.js"
import * as Tag from "../src/domain/Tag.js"
import * as Target from "../src/domain/Target.js"
import * as Task from "../src/domain/Task.js"
import * as Timestamp from "../src/domain/Timestamp.js"
import * as User from "../src/domain/User.js"

const decodes = <A, I>(schema: Schema.Schema<A, I>, input: unknown) => Either.isRight(Schema.decodeUnknownEither(schema)(input))

// ---------------------------------------------------------------------------------------------
// Enums: Koji's names and numbers (koji/__init__.py, reference section 3), written out here
// independently of src so a typo on either side shows.

const kojiEnums: ReadonlyArray<readonly [Enum.Any, Record<string, number>]> = [
  [Enums.TaskState, { FREE: 0, OPEN: 1, CLOSED: 2, CANCELED: 3, ASSIGNED: 4, FAILED: 5 }],
  [Enums.BuildState, { BUILDING: 0, COMPLETE: 1, DELETED: 2, FAILED: 3, CANCELED: 4 }],
  [Enums.RepoState, { INIT: 0, READY: 1, EXPIRED: 2, DELETED: 3, PROBLEM: 4 }],
  [Enums.BrState, { INIT: 0, WAITING: 1, BUILDING: 2, EXPIRED: 3 }],
  [Enums.BrType, { STANDARD: 0, EXTERNAL: 1 }],
  [Enums.UserType, { NORMAL: 0, HOST: 1, GROUP: 2 }],
  [Enums.UserStatus, { NORMAL: 0, BLOCKED: 1 }],
  [Enums.AuthType, { NORMAL: 0, KERBEROS: 1, SSL: 2, GSSAPI: 3 }],
  [Enums.ChecksumType, { md5: 0, sha1: 1, sha256: 2 }],
  [Enums.TagUpdateType, { VOLUME_CHANGE: 0, IMPORT: 1, MANUAL: 2, DRAFT_PROMOTION: 3 }],
  [Enums.DepType, {
    REQUIRE: 0,
    PROVIDE: 1,
    OBSOLETE: 2,
    CONFLICT: 3,
    SUGGEST: 4,
    ENHANCE: 5,
    SUPPLEMENT: 6,
    RECOMMEND: 7
  }],
  [Enums.RpmSense, { LESS: 2, GREATER: 4, EQUAL: 8 }]
]

describe("Enums", () => {
  for (const [e, expected] of kojiEnums) {
    describe(e.identifier, () => {
      it("has exactly Koji's members, as properties and as `members`", () => {
        expect({ ...e.members }).toEqual(expected)
        for (const [name, value] of Object.entries(expected)) {
          expect((e as unknown as Record<string, number>)[name]).toBe(value)
        }
        const sorted = Object.entries(expected).sort(([, a], [, b]) => a - b)
        expect(e.names).toEqual(sorted.map(([n]) => n))
        expect(e.values).toEqual(sorted.map(([, v]) => v))
      })

      it("looks up both ways, like koji.Enum", () => {
        for (const [name, value] of Object.entries(expected)) {
          expect(e.name(value)).toBe(name)
          expect(e.value(name)).toBe(value)
          expect(e.getnum(name)).toBe(value)
          expect(e.getnum(value)).toBe(value)
          expect(e.is(value)).toBe(true)
          expect(e.isName(name)).toBe(true)
        }
        const unknown = Math.max(...Object.values(expected)) + 1
        expect(e.name(unknown)).toBeUndefined()
        expect(e.name(-1)).toBeUndefined()
        expect(e.value("NO_SUCH_NAME")).toBeUndefined()
        expect(e.getnum("NO_SUCH_NAME")).toBeUndefined()
        expect(e.getnum(unknown)).toBeUndefined()
        expect(e.is(unknown)).toBe(false)
        expect(e.is(String(e.values[0]))).toBe(false)
        expect(e.isName("NO_SUCH_NAME")).toBe(false)
      })

      it("decodes and encodes its numbers and names, and rejects anything else", () => {
        for (const [name, value] of Object.entries(expected)) {
          expect(Schema.decodeUnknownSync(e.schema)(value)).toBe(value)
          expect(Schema.encodeSync(e.schema)(value)).toBe(value)
          expect(Schema.decodeUnknownSync(e.nameSchema)(name)).toBe(name)
        }
        const unknown = Math.max(...Object.values(expected)) + 1
        expect(decodes(e.schema, unknown)).toBe(false)
        expect(decodes(e.schema, -1)).toBe(false)
        expect(decodes(e.schema, 0.5)).toBe(false)
        expect(decodes(e.schema, String(e.values[0]))).toBe(false)
        expect(decodes(e.schema, null)).toBe(false)
        expect(decodes(e.nameSchema, "NO_SUCH_NAME")).toBe(false)
        expect(decodes(e.nameSchema, e.values[0])).toBe(false)
      })

      it("is frozen", () => {
        expect(Object.isFrozen(e)).toBe(true)
        expect(Object.isFrozen(e.members)).toBe(true)
        expect(() => {
          ;(e as unknown as Record<string, number>)[e.names[0]!] = 99
        }).toThrow(TypeError)
        expect(e.value(e.names[0]!)).toBe(e.values[0])
      })
    })
  }

  it("types a lookup precisely", () => {
    const open: "OPEN" = Enums.TaskState.name(1)
    const one: 1 = Enums.TaskState.value("OPEN")
    const state: Enums.TaskState = Enums.TaskState.FAILED
    expect([open, one, state]).toEqual(["OPEN", 1, 5])
    expect(Enums.TaskState.OPEN).toBe(1)
    expect(Enums.BuildState.COMPLETE).toBe(1)
    expect(Enums.ChecksumType.sha256).toBe(2)
  })

  it("names the enum in a decoding error", () => {
    const result = Schema.decodeUnknownEither(Enums.TaskState.schema)(9)
    expect(Either.isLeft(result)).toBe(true)
    if (Either.isLeft(result)) expect(result.left.message).toContain("TaskState")
  })

  it("Enum.make refuses duplicate numbers, reserved names, non-integers and no members", () => {
    expect(() => Enum.make("Dup", { A: 0, B: 0 })).toThrow(/share the number 0/)
    expect(() => Enum.make("Reserved", { name: 0 } as never)).toThrow(/reserved/)
    expect(() => Enum.make("Half", { A: 0.5 })).toThrow(/not an integer/)
    expect(() => Enum.make("Empty", {})).toThrow(/no members/)
  })

  it("tests RPMSENSE bits inside combined rpm flags", () => {
    const lessOrEqual = Enums.RpmSense.LESS | Enums.RpmSense.EQUAL
    expect(Enums.hasSense(lessOrEqual, Enums.RpmSense.LESS)).toBe(true)
    expect(Enums.hasSense(lessOrEqual, Enums.RpmSense.EQUAL)).toBe(true)
    expect(Enums.hasSense(lessOrEqual, Enums.RpmSense.GREATER)).toBe(false)
    // RPMSENSE_FIND_REQUIRES (1 << 14) | GREATER | EQUAL
    expect(Enums.hasSense(16384 | 12, Enums.RpmSense.GREATER)).toBe(true)
  })

  it("REPO_MERGE_MODES is the string set koji, simple, bare", () => {
    expect([...Enums.REPO_MERGE_MODES].sort()).toEqual(["bare", "koji", "simple"])
    expect(Enums.DEFAULT_REPO_MERGE_MODE).toBe("koji")
    for (const mode of Enums.REPO_MERGE_MODES) {
      expect(Schema.decodeUnknownSync(Enums.RepoMergeMode)(mode)).toBe(mode)
    }
    expect(decodes(Enums.RepoMergeMode, "fancy")).toBe(false)
    expect(decodes(Enums.RepoMergeMode, 0)).toBe(false)
  })
})

describe("Constants", () => {
  it("match Koji 1.35.3", () => {
    expect(Constants.API_VERSION).toBe(1)
    expect(Constants.KOJI_VERSION).toBe("1.35.3")
    expect(Constants.PRIO_DEFAULT).toBe(20)
    expect(Constants.DEFAULT_REQUEST_TIMEOUT).toBe(43200)
    expect(Constants.DEFAULT_AUTH_TIMEOUT).toBe(60)
    expect(Constants.BASEDIR).toBe("/mnt/koji")
    expect(Constants.draftRelease("1.fc40", 42)).toBe("1.fc40,draft_42")
  })
})

// ---------------------------------------------------------------------------------------------

describe("Ids", () => {
  const positive = [
    Ids.UserId,
    Ids.TaskId,
    Ids.HostId,
    Ids.ChannelId,
    Ids.BuildId,
    Ids.RpmId,
    Ids.ArchiveId,
    Ids.PackageId,
    Ids.TagId,
    Ids.TargetId,
    Ids.RepoId,
    Ids.BuildrootId,
    Ids.EventId,
    Ids.SessionId,
    Ids.PermissionId,
    Ids.ContentGeneratorId
  ]

  it("positive ids take integers from 1", () => {
    for (const id of positive) {
      expect(Schema.decodeUnknownSync(id)(1)).toBe(1)
      expect(Schema.decodeUnknownSync(id)(2147483648)).toBe(2147483648)
      expect(decodes(id, 0)).toBe(false)
      expect(decodes(id, -3)).toBe(false)
      expect(decodes(id, 1.5)).toBe(false)
      expect(decodes(id, "1")).toBe(false)
    }
  })

  it("VolumeId and ExternalRepoId also take 0 (DEFAULT, INTERNAL)", () => {
    for (const id of [Ids.VolumeId, Ids.ExternalRepoId]) {
      expect(Schema.decodeUnknownSync(id)(0)).toBe(0)
      expect(Schema.decodeUnknownSync(id)(7)).toBe(7)
      expect(decodes(id, -1)).toBe(false)
      expect(decodes(id, 0.5)).toBe(false)
    }
    expect(Ids.DEFAULT_VOLUME_ID).toBe(0)
    expect(Ids.INTERNAL_EXTERNAL_REPO_ID).toBe(0)
  })

  it("make checks, and the brand names the id in errors", () => {
    expect(Ids.TaskId.make(5)).toBe(5)
    expect(() => Ids.TaskId.make(0)).toThrow()
    const result = Schema.decodeUnknownEither(Ids.TaskId)(0)
    expect(Either.isLeft(result) && result.left.message.includes("TaskId")).toBe(true)
  })
})

// ---------------------------------------------------------------------------------------------
// Errors: codes and parents from reference 2.5, written out independently of src.

const kojiFaults: ReadonlyArray<readonly [Errors.FaultTag, number, Errors.FaultTag | null]> = [
  ["GenericError", 1000, null],
  ["LockError", 1001, "GenericError"],
  ["AuthError", 1002, "GenericError"],
  ["TagError", 1003, "GenericError"],
  ["ActionNotAllowed", 1004, "GenericError"],
  ["BuildError", 1005, "GenericError"],
  ["AuthLockError", 1006, "AuthError"],
  ["AuthExpired", 1007, "AuthError"],
  ["SequenceError", 1008, "AuthError"],
  ["RetryError", 1009, "AuthError"],
  ["PreBuildError", 1010, "BuildError"],
  ["PostBuildError", 1011, "BuildError"],
  ["BuildrootError", 1012, "BuildError"],
  ["FunctionDeprecated", 1013, "GenericError"],
  ["ServerOffline", 1014, "GenericError"],
  ["LiveCDError", 1015, "GenericError"],
  ["PluginError", 1016, "GenericError"],
  ["CallbackError", 1017, "PluginError"],
  ["ApplianceError", 1018, "GenericError"],
  ["ParameterError", 1019, "GenericError"],
  ["ImportError", 1020, "GenericError"],
  ["ConfigurationError", 1021, "GenericError"],
  ["LiveMediaError", 1022, "GenericError"],
  ["GSSAPIAuthError", 1023, "AuthError"],
  ["NameValidationError", 1024, "GenericError"]
]

describe("Errors", () => {
  it("defines exactly Koji's 25 fault classes", () => {
    expect(Object.keys(Errors.faultTable).sort()).toEqual(kojiFaults.map(([tag]) => tag).sort())
    expect(Object.keys(Errors.classes).sort()).toEqual(kojiFaults.map(([tag]) => tag).sort())
  })

  for (const [tag, code, parent] of kojiFaults) {
    describe(tag, () => {
      const Class = Errors.classes[tag]
      const message = `${tag} happened: "quoted" <b>`

      it(`has faultCode ${code} and parent ${parent}`, () => {
        expect(Class.faultCode).toBe(code)
        expect(Class.parent).toBe(parent)
        expect(Class._tag).toBe(tag)
        const error = new Class({ message })
        expect(error.faultCode).toBe(code)
        expect(error._tag).toBe(tag)
        expect(error.message).toBe(message)
        expect(error).toBeInstanceOf(Error)
        expect(error).toBeInstanceOf(Class)
        expect(error.name).toBe(tag)
        expect(String(error)).toBe(`${tag}: ${message}`)
        expect(Errors.make(tag, message)).toEqual(error)
      })

      it("follows the parent chain with isA", () => {
        const error = Errors.make(tag, message)
        const chain: Array<Errors.FaultTag> = []
        for (let t: Errors.FaultTag | null = tag; t !== null; t = kojiFaults.find(([x]) => x === t)![2]) {
          chain.push(t)
        }
        expect(Errors.ancestors(tag)).toEqual(chain)
        expect(chain[chain.length - 1]).toBe("GenericError")
        for (const [other] of kojiFaults) {
          expect(Errors.isA(error, other)).toBe(chain.includes(other))
          expect(Errors.isA(other)(error)).toBe(chain.includes(other))
        }
        expect(Errors.isKojiError(error)).toBe(true)
      })

      it("round-trips fromFault -> faultOf", () => {
        const error = Errors.fromFault(code, message)
        expect(error).toBeInstanceOf(Class)
        expect(error._tag).toBe(tag)
        expect(error.message).toBe(message)
        expect(Errors.faultOf(error)).toEqual({ faultCode: code, faultString: message })
      })

      it("encodes and decodes through the KojiError union", () => {
        const error = new Class({ message })
        const encoded = Schema.encodeSync(Errors.KojiError)(error)
        expect(encoded).toEqual({ _tag: tag, message })
        const decoded = Schema.decodeUnknownSync(Errors.KojiError)(encoded)
        expect(decoded).toBeInstanceOf(Class)
        expect(decoded).toEqual(error)
        expect(decoded.faultCode).toBe(code)
        const viaAny = Schema.decodeUnknownSync(Errors.AnyFault)(JSON.parse(JSON.stringify(encoded)))
        expect(viaAny).toBeInstanceOf(Class)
      })
    })
  }

  it("rejects malformed encoded errors", () => {
    expect(decodes(Errors.KojiError, { _tag: "AuthError" })).toBe(false)
    expect(decodes(Errors.KojiError, { _tag: "AuthError", message: 3 })).toBe(false)
    expect(decodes(Errors.KojiError, { _tag: "NoSuchError", message: "x" })).toBe(false)
    expect(decodes(Errors.KojiError, { _tag: "Fault", faultCode: 1, message: "x" })).toBe(false)
    expect(() => new Errors.AuthError({ message: 1 as unknown as string })).toThrow()
  })

  it("keeps unknown codes and code 1 as a Fault that is not a GenericError", () => {
    const dbError = "<class 'psycopg2.errors.UndefinedFunction'>: operator does not exist: text = integer"
    const fault = Errors.fromFault(Errors.UNHANDLED_FAULT_CODE, dbError)
    expect(fault).toBeInstanceOf(Errors.Fault)
    expect(fault).toBeInstanceOf(Error)
    expect(fault.message).toBe(dbError)
    expect(fault.faultCode).toBe(1)
    expect(Errors.faultOf(fault)).toEqual({ faultCode: 1, faultString: dbError })
    expect(Errors.isA(fault, "GenericError")).toBe(false)
    expect(Errors.isKojiError(fault)).toBe(false)
    expect(Errors.faultOf(Errors.fromFault(4242, "future"))).toEqual({ faultCode: 4242, faultString: "future" })
    expect(Errors.fromFault(999, "x")._tag).toBe("Fault")
    expect(Errors.fromFault(1025, "x")._tag).toBe("Fault")

    const encoded = Schema.encodeSync(Errors.AnyFault)(fault)
    expect(encoded).toEqual({ _tag: "Fault", faultCode: 1, message: dbError })
    expect(Schema.decodeUnknownSync(Errors.AnyFault)(encoded)).toEqual(fault)
    expect(decodes(Errors.AnyFault, { _tag: "Fault", faultCode: 1.5, message: "x" })).toBe(false)
  })

  it("maps the recorded hub faults (wire samples) to their classes", () => {
    // fault-createTag-permission.response.xml and fault-getTag-missing-strict.response.xml
    const denied = Errors.fromFault(1004, "tag permission required (logged in as alice)")
    expect(denied).toBeInstanceOf(Errors.ActionNotAllowed)
    expect(Errors.isA(denied, "GenericError")).toBe(true)
    const missing = Errors.fromFault(1000, "No such tagInfo: 'nosuchtag'")
    expect(missing).toBeInstanceOf(Errors.GenericError)
    expect(Errors.isA(missing, "ActionNotAllowed")).toBe(false)
  })

  it("isA is false for things that are not Koji errors", () => {
    for (const u of [null, undefined, "AuthError", 1002, {}, new Error("AuthError"), { _tag: "Nope" }]) {
      expect(Errors.isA(u, "GenericError")).toBe(false)
      expect(Errors.isKojiError(u)).toBe(false)
    }
  })

  it.effect("works as an Effect failure, narrowed by isA", () =>
    Effect.gen(function*() {
      const program: Effect.Effect<string, Errors.KojiError> = Effect.fail(
        new Errors.AuthExpired({ message: "session expired" })
      )
      const caught = yield* program.pipe(
        Effect.catchIf(Errors.isA("AuthError"), (e) => Effect.succeed(`${e._tag} ${e.faultCode}`))
      )
      expect(caught).toBe("AuthExpired 1007")

      const exit = yield* Effect.exit(
        Effect.fail(new Errors.TagError({ message: "locked" })).pipe(
          Effect.catchIf(Errors.isA("AuthError"), () => Effect.succeed("caught"))
        )
      )
      expect(Exit.isFailure(exit)).toBe(true)

      const yielded = yield* Effect.flip(new Errors.ParameterError({ message: "bad arg" }))
      expect(yielded.faultCode).toBe(1019)
    }))
})

// ---------------------------------------------------------------------------------------------
// Timestamps: the pairs come from getBuild.response.xml / getTaskInfo.response.xml.

describe("Timestamp", () => {
  it("formats epoch floats as the hub does", () => {
    expect(Timestamp.fromEpoch(1795586897.068335)).toBe("2026-11-25 06:08:17.068335+00:00")
    expect(Timestamp.fromEpoch(1795586894.41373)).toBe("2026-11-25 06:08:14.413730+00:00")
    expect(Timestamp.fromEpoch(1795586894)).toBe("2026-11-25 06:08:14+00:00")
    expect(Timestamp.fromDate(new Date("2025-07-02T16:29:15.123Z"))).toBe("2025-07-02 16:29:15.123000+00:00")
  })

  it("reads timestamps back to epoch floats", () => {
    expect(Timestamp.toEpoch("2026-11-25 06:08:17.068335+00:00")).toBeCloseTo(1795586897.068335, 6)
    expect(Timestamp.toEpoch("2026-11-25 06:08:14+00:00")).toBe(1795586894)
    expect(Timestamp.toEpoch("2026-11-25 08:08:14+02:00")).toBe(1795586894)
    expect(Timestamp.toEpoch("2026-11-25 06:08:14")).toBe(1795586894)
    expect(Timestamp.toEpoch("2026-11-25T06:08:14Z")).toBeUndefined()
  })

  it("accepts the wire form only", () => {
    expect(decodes(Timestamp.Timestamp, "2026-11-25 06:08:17.068335+00:00")).toBe(true)
    expect(decodes(Timestamp.Timestamp, "2026-11-25 06:08:17+00:00")).toBe(true)
    expect(decodes(Timestamp.Timestamp, "2026-11-25T06:08:17Z")).toBe(false)
    expect(decodes(Timestamp.Timestamp, 1795586897.068335)).toBe(false)
  })
})

// ---------------------------------------------------------------------------------------------
// Records, each from a recorded hub response (koji/wire-samples/<call>.response.xml), copied by hand.

const getBuild = {
  build_id: 1,
  cg_id: null,
  completion_time: "2026-11-25 06:08:17.068335+00:00",
  completion_ts: 1795586897.068335,
  creation_event_id: 11,
  creation_time: "2026-11-25 06:08:17.070114+00:00",
  creation_ts: 1795586897.070114,
  draft: false,
  epoch: null,
  extra: null,
  id: 1,
  name: "peerdemo",
  nvr: "peerdemo-1.0-1",
  owner_id: 1,
  owner_name: "admin",
  package_id: 1,
  package_name: "peerdemo",
  promoter_id: null,
  promoter_name: null,
  promotion_time: null,
  promotion_ts: null,
  release: "1",
  source: null,
  start_time: "2026-11-25 06:08:17.068335+00:00",
  start_ts: 1795586897.068335,
  state: 1,
  task_id: null,
  version: "1.0",
  volume_id: 0,
  volume_name: "DEFAULT",
  cg_name: null
}

const getTaskInfo = {
  arch: "noarch",
  awaited: null,
  channel_id: 1,
  completion_time: null,
  completion_ts: null,
  create_time: "2026-11-25 06:08:14.413730+00:00",
  create_ts: 1795586894.41373,
  host_id: null,
  id: 1,
  label: null,
  method: "sleep",
  owner: 1,
  parent: null,
  priority: 20,
  start_time: null,
  start_ts: null,
  state: 0,
  waiting: null,
  weight: 1.0,
  request: [1]
}

const getHost = {
  arches: "x86_64 noarch",
  capacity: 2.0,
  comment: null,
  description: null,
  enabled: true,
  id: 1,
  name: "builder1",
  ready: false,
  task_load: 0.0,
  update_ts: null,
  user_id: 3
}

const getUser = { id: 1, name: "admin", status: 0, usertype: 0, krb_principals: [] }

const getTag = {
  arches: "x86_64 noarch",
  id: 2,
  locked: false,
  maven_include_all: false,
  maven_support: false,
  name: "peer-build",
  perm: null,
  perm_id: null,
  extra: {}
}

// Encoding drops nothing and adds nothing: what decodes encodes back to the same struct.
const roundTrips = <A, I>(schema: Schema.Schema<A, I>, input: unknown) => {
  const decoded = Schema.decodeUnknownSync(schema)(input)
  expect(Schema.encodeSync(schema)(decoded)).toEqual(input)
  return decoded
}

describe("records", () => {
  it("Build decodes getBuild", () => {
    const build = roundTrips(Build.Build, getBuild)
    expect(build).toBeInstanceOf(Build.Build)
    expect(build.nvr).toBe("peerdemo-1.0-1")
    expect(build.state).toBe(Enums.BuildState.COMPLETE)
    expect(build.volume_id).toBe(Ids.DEFAULT_VOLUME_ID)
    expect(build.completion_time).toBe(Timestamp.fromEpoch(build.completion_ts!))
    expect(decodes(Build.Build, { ...getBuild, state: 7 })).toBe(false)
    expect(decodes(Build.Build, { ...getBuild, id: "1" })).toBe(false)
    expect(decodes(Build.Build, { ...getBuild, creation_time: null })).toBe(false)
    expect(decodes(Build.Build, { ...getBuild, extra: { typeinfo: { rpm: null } } })).toBe(true)
    expect(decodes(Build.Build, { ...getBuild, extra: "[]" })).toBe(false)
    const { cg_name: _, ...withoutCgName } = getBuild
    expect(decodes(Build.Build, withoutCgName)).toBe(false)
  })

  it("BuildListEntry decodes listBuilds, TaggedBuild decodes listTagged / getLatestBuilds", () => {
    const { id: _id, cg_id: _cgId, cg_name: _cgName, ...listBuilds } = getBuild
    expect(roundTrips(Build.BuildListEntry, listBuilds).build_id).toBe(1)
    const listTagged = {
      build_id: 1,
      completion_time: "2026-11-25 06:08:17.068335+00:00",
      create_event: 12,
      creation_event_id: 11,
      creation_time: "2026-11-25 06:08:17.070114+00:00",
      draft: false,
      epoch: null,
      id: 1,
      name: "peerdemo",
      nvr: "peerdemo-1.0-1",
      owner_id: 1,
      owner_name: "admin",
      package_id: 1,
      package_name: "peerdemo",
      promoter_id: null,
      promoter_name: null,
      promotion_time: null,
      release: "1",
      start_time: "2026-11-25 06:08:17.068335+00:00",
      state: 1,
      tag_id: 3,
      tag_name: "peer-dest",
      task_id: null,
      version: "1.0",
      volume_id: 0,
      volume_name: "DEFAULT"
    }
    const tagged = roundTrips(Build.TaggedBuild, listTagged)
    expect(tagged.tag_name).toBe("peer-dest")
    expect(tagged.create_event).toBe(12)
    expect(decodes(Build.TaggedBuild, { ...listTagged, tag_id: null })).toBe(false)
  })

  it("Task decodes getTaskInfo and a subtask; TaskListEntry decodes listTasks", () => {
    const task = roundTrips(Task.Task, getTaskInfo)
    expect(task.state).toBe(Enums.TaskState.FREE)
    expect(Enums.TaskState.name(task.state)).toBe("FREE")
    expect(task.request).toEqual([1])
    expect(task.priority).toBe(Constants.PRIO_DEFAULT)
    // getTaskChildren: a labelled subtask
    const child = roundTrips(Task.Task, { ...getTaskInfo, id: 6, parent: 5, label: "nap", priority: 19 })
    expect(child.parent).toBe(5)
    // host.openTask: raw request document, host set, OPEN
    const opened = roundTrips(Task.Task, {
      ...getTaskInfo,
      id: 5,
      host_id: 1,
      state: 1,
      start_time: "2026-11-25 06:09:01.097197+00:00",
      start_ts: 1795586941.097197,
      request: "<?xml version='1.0'?>\n<methodCall>\n<methodName>sleep</methodName>\n</methodCall>\n"
    })
    expect(typeof opened.request).toBe("string")
    const { request: _, ...withoutRequest } = getTaskInfo
    expect(roundTrips(Task.Task, withoutRequest).request).toBeUndefined()
    const listed = roundTrips(Task.TaskListEntry, {
      ...getTaskInfo,
      owner_name: "admin",
      owner_type: 0,
      result: null
    })
    expect(listed.owner_type).toBe(Enums.UserType.NORMAL)
    expect(decodes(Task.Task, { ...getTaskInfo, state: 6 })).toBe(false)
    expect(decodes(Task.Task, { ...getTaskInfo, channel_id: null })).toBe(false)
    expect(decodes(Task.Task, { ...getTaskInfo, weight: -1 })).toBe(false)
    expect(decodes(Task.Task, { ...getTaskInfo, request: 1 })).toBe(false)
    expect(decodes(Task.TaskListEntry, getTaskInfo)).toBe(false)
  })

  it("Host decodes getHost / listHosts", () => {
    const host = roundTrips(Host.Host, getHost)
    expect(host.capacity).toBe(2)
    expect(host.arches.split(" ")).toEqual(["x86_64", "noarch"])
    expect(decodes(Host.Host, { ...getHost, ready: 0 })).toBe(false)
    expect(decodes(Host.Host, { ...getHost, user_id: null })).toBe(false)
  })

  it("User decodes getUser, LoggedInUser decodes getLoggedInUser", () => {
    const user = roundTrips(User.User, getUser)
    expect(user.usertype).toBe(Enums.UserType.NORMAL)
    const me = roundTrips(User.LoggedInUser, { ...getUser, authtype: 0, krb_principal: null })
    expect(me.authtype).toBe(Enums.AuthType.NORMAL)
    expect(me).toBeInstanceOf(User.User)
    expect(decodes(User.User, { ...getUser, status: 2 })).toBe(false)
    expect(decodes(User.User, { ...getUser, krb_principals: null })).toBe(false)
    expect(decodes(User.LoggedInUser, getUser)).toBe(false)
  })

  it("Tag decodes getTag, TagListEntry decodes listTags", () => {
    const tag = roundTrips(Tag.Tag, getTag)
    expect(tag.extra).toEqual({})
    expect(roundTrips(Tag.Tag, { ...getTag, extra: { "mock.package_manager": "dnf" }, query_event: 12 }).query_event)
      .toBe(12)
    const { extra: _, ...listTags } = getTag
    expect(roundTrips(Tag.TagListEntry, { ...listTags, arches: "" }).arches).toBe("")
    expect(decodes(Tag.Tag, listTags)).toBe(false)
    expect(decodes(Tag.Tag, { ...getTag, locked: null })).toBe(false)
  })

  it("Channel decodes listChannels entries", () => {
    const channel = roundTrips(Channel.Channel, {
      comment: null,
      description: null,
      enabled: true,
      id: 2,
      name: "createrepo"
    })
    expect(channel.name).toBe("createrepo")
    expect(decodes(Channel.Channel, { id: 2, name: "createrepo", enabled: true, comment: null })).toBe(false)
  })

  it("Target decodes getBuildTarget", () => {
    const target = roundTrips(Target.Target, {
      build_tag: 2,
      build_tag_name: "peer-build",
      dest_tag: 3,
      dest_tag_name: "peer-dest",
      id: 1,
      name: "peer-target"
    })
    expect(target.dest_tag_name).toBe("peer-dest")
    expect(decodes(Target.Target, { ...target, dest_tag: "peer-dest" })).toBe(false)
  })

  it("Event decodes getLastEvent, Permission decodes getAllPerms entries", () => {
    expect(roundTrips(Event.Event, { id: 12, ts: 1795586898.529214 }).id).toBe(12)
    expect(decodes(Event.Event, { id: 0, ts: 1 })).toBe(false)
    const perm = roundTrips(Permission.Permission, {
      description: "Full administrator access. Perform all actions.",
      id: 1,
      name: "admin"
    })
    expect(perm.name).toBe("admin")
    expect(decodes(Permission.Permission, { id: 1, name: "admin" })).toBe(false)
  })

  it("Rpm decodes getRPM (values of importRPM.response.xml)", () => {
    const rpm = {
      id: 1,
      name: "peerdemo",
      version: "1.0",
      release: "1",
      arch: "src",
      epoch: null,
      draft: false,
      payloadhash: "35c21b8a7c8e5fb8fadbab24895d05bb",
      size: 6922,
      buildtime: 1795586841,
      build_id: 1,
      buildroot_id: null,
      external_repo_id: 0,
      external_repo_name: "INTERNAL",
      metadata_only: false,
      extra: null
    }
    expect(roundTrips(Rpm.Rpm, rpm).external_repo_id).toBe(Ids.INTERNAL_EXTERNAL_REPO_ID)
    // an external RPM has no build and no draft flag
    expect(decodes(Rpm.Rpm, { ...rpm, build_id: null, draft: null, external_repo_id: 3 })).toBe(true)
    expect(decodes(Rpm.Rpm, { ...rpm, size: -1 })).toBe(false)
    expect(decodes(Rpm.Rpm, { ...rpm, external_repo_id: -1 })).toBe(false)
  })

  it("Repo decodes repoInfo", () => {
    const repo = {
      id: 1,
      tag_id: 2,
      tag_name: "peer-build",
      creation_time: "2026-11-25 06:10:00.000001+00:00",
      creation_ts: 1795587000.000001,
      state_time: "2026-11-25 06:10:05+00:00",
      state_ts: 1795587005,
      create_event: 12,
      create_ts: 1795586898.529214,
      begin_event: 9,
      begin_ts: 1795586890.5,
      end_event: null,
      end_ts: null,
      state: 1,
      dist: false,
      opts: { src: false, debuginfo: false, separate_src: false, maven: false },
      custom_opts: {},
      task_id: 3,
      task_state: 2
    }
    const decoded = roundTrips(Repo.Repo, repo)
    expect(decoded.state).toBe(Enums.RepoState.READY)
    expect(decoded.opts?.maven).toBe(false)
    expect(decodes(Repo.Repo, { ...repo, state: 5 })).toBe(false)
    expect(decodes(Repo.Repo, { ...repo, opts: { src: "yes" } })).toBe(false)
  })

  it("Buildroot decodes getBuildroot, standard and external", () => {
    const standard = {
      id: 1,
      br_type: 0,
      cg_id: null,
      cg_name: null,
      cg_version: null,
      container_type: "chroot",
      container_arch: "x86_64",
      arch: "x86_64",
      host_os: null,
      host_arch: null,
      extra: null,
      state: 3,
      task_id: 6,
      host_id: 1,
      host_name: "builder1",
      repo_id: 1,
      repo_state: 1,
      tag_id: 2,
      tag_name: "peer-build",
      create_event_id: 20,
      create_event_time: "2026-11-25 06:09:02.000100+00:00",
      create_ts: 1795586942.0001,
      retire_event_id: 21,
      retire_event_time: "2026-11-25 06:09:30+00:00",
      retire_ts: 1795586970,
      repo_create_event_id: 12,
      repo_create_event_time: "2026-11-25 06:08:18.529214+00:00"
    }
    expect(roundTrips(Buildroot.Buildroot, standard).state).toBe(Enums.BrState.EXPIRED)
    const external = {
      ...standard,
      br_type: 1,
      cg_id: 1,
      cg_name: "my-cg",
      cg_version: "1.0",
      host_os: "Fedora 40",
      host_arch: "x86_64",
      extra: { osbs: true },
      state: null,
      task_id: null,
      host_id: null,
      host_name: null,
      repo_id: null,
      repo_state: null,
      tag_id: null,
      tag_name: null,
      create_event_id: null,
      create_event_time: null,
      create_ts: null,
      retire_event_id: null,
      retire_event_time: null,
      retire_ts: null,
      repo_create_event_id: null,
      repo_create_event_time: null
    }
    expect(roundTrips(Buildroot.Buildroot, external).br_type).toBe(Enums.BrType.EXTERNAL)
    expect(decodes(Buildroot.Buildroot, { ...standard, br_type: 2 })).toBe(false)
  })
})
