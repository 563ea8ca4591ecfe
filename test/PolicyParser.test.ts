import { describe, expect, it } from "@effect/vitest"
import { SqlClient } from "@effect/sql"
import { ConfigProvider, Effect, Either, Layer } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { ActionNotAllowed, ConfigurationError, GenericError } from "../src/domain/Errors.js"
import * as HubConfig from "../src/hub/HubConfig.js"
import * as Policy from "../src/hub/Policy.js"
import * as Parser from "../src/hub/PolicyParser.js"
import * as PolicyTests from "../src/hub/PolicyTests.js"

// tests that need no database, with a database that is never reached
const env: Parser.TestEnv = {
  sql: undefined as unknown as SqlClient.SqlClient,
  sessionUserId: undefined,
  policy: "p",
  running: new Set(),
  memo: (_key, lookup) => lookup,
  applyPolicy: () => Effect.die("no sub-policies here")
}

const parse = (text: string, library: Parser.TestLibrary = PolicyTests.builtins) =>
  Either.getOrThrow(Parser.parse("p", text, library))

const parseError = (text: string, library: Parser.TestLibrary = PolicyTests.builtins) => {
  const result = Parser.parse("p", text, library)
  if (Either.isRight(result)) throw new Error(`expected a parse error for ${text}`)
  expect(result.left).toBeInstanceOf(ConfigurationError)
  return result.left.message
}

const applied = (text: string, data: Policy.PolicyData) =>
  Effect.map(Parser.apply(parse(text), data, env), (m) => ({ action: m?.action, rule: Parser.formatRule(m), line: m?.path.at(-1)?.line }))

const action = (text: string, data: Policy.PolicyData) => Effect.map(applied(text, data), (r) => r.action)

// a Policy service on settings, on a database that the generic tests never touch
const service = (settings: Partial<HubConfig.HubConfigShape>, options: Policy.Options = {}) =>
  Policy.make(options).pipe(
    Effect.provide(Layer.mergeAll(
      HubConfig.layer(settings),
      Layer.succeed(SqlClient.SqlClient, undefined as unknown as SqlClient.SqlClient)
    ))
  )

describe("PolicyParser: the language", () => {
  it.effect("first matching rule wins; comments and blank lines are skipped", () =>
    Effect.gen(function*() {
      const text = `
        # a comment line
        match color red :: deny no reds   # trailing comment
        
        match color r* :: allow
        all :: deny
      `
      expect(yield* applied(text, { color: "red" })).toEqual({ action: "deny no reds", rule: "match color red :: deny no reds", line: 3 })
      expect(yield* applied(text, { color: "rose" })).toEqual({ action: "allow", rule: "match color r* :: allow", line: 5 })
      expect(yield* applied(text, { color: "blue" })).toEqual({ action: "deny", rule: "all :: deny", line: 6 })
    }))

  it.effect("no rule matching gives no action and Koji's (no match)", () =>
    Effect.gen(function*() {
      expect(yield* applied("match x a :: allow", { x: "b" })).toEqual({ action: undefined, rule: "(no match)", line: undefined })
      expect(yield* applied("", {})).toEqual({ action: undefined, rule: "(no match)", line: undefined })
    }))

  it.effect("&& needs every test; !! applies when they are not all true", () =>
    Effect.gen(function*() {
      const text = "has a && has b :: both\nhas a && has b !! not both"
      expect(yield* action(text, { a: 1, b: 2 })).toBe("both")
      expect(yield* action(text, { a: 1 })).toBe("not both")
      expect(yield* applied("has a && has b !! deny", { b: 1 })).toMatchObject({ rule: "has a && has b !! deny" })
      expect(yield* action("true!!x\nfalse!!y", {})).toBe("y")
    }))

  it.effect("nested blocks: entered when the tests pass, fall through when nothing inside matches", () =>
    Effect.gen(function*() {
      const text = `
        match tag *-updates :: {
          match op move :: {
            match from *-candidate :: allow
            all :: deny moves only from candidates
          }
          match op tag && has dup :: deny
        }
        all :: allow fallthrough
      `
      expect(yield* applied(text, { tag: "f40-updates", op: "move", from: "f40-candidate" })).toEqual({
        action: "allow",
        rule: "match tag *-updates :: ... match op move :: ... match from *-candidate :: allow",
        line: 4
      })
      expect(yield* action(text, { tag: "f40-updates", op: "move", from: "x" })).toBe("deny moves only from candidates")
      expect(yield* action(text, { tag: "f40-updates", op: "tag", dup: true })).toBe("deny")
      // inside the block nothing matches: evaluation continues after it
      expect(yield* applied(text, { tag: "f40-updates", op: "tag" })).toEqual({
        action: "allow fallthrough",
        rule: "all :: allow fallthrough",
        line: 9
      })
      expect(yield* action(text, { tag: "other" })).toBe("allow fallthrough")
      // a negated block
      expect(yield* action("has x !! {\n all :: none-x\n}\nall :: has-x", {})).toBe("none-x")
      expect(yield* action("has x !! {\n all :: none-x\n}\nall :: has-x", { x: 0 })).toBe("has-x")
    }))

  it.effect("the last :: separates the action; # cuts the line anywhere", () =>
    Effect.gen(function*() {
      expect(yield* action("match url git::* :: allow", { url: "git::x" })).toBe("allow")
      expect(yield* action("all :: deny see #123", {})).toBe("deny see")
    }))

  it("splitAction: verdict lowercased, the rest is the reason", () => {
    expect(Parser.splitAction("DENY Only admin can do this")).toEqual({ verdict: "deny", reason: "Only admin can do this" })
    expect(Parser.splitAction("allow")).toEqual({ verdict: "allow", reason: "" })
    expect(Parser.splitAction("set   5")).toEqual({ verdict: "set", reason: "5" })
  })

  it("allActions and references list what a rule set uses", () => {
    const rs = parse("policy other :: allow\nall :: {\n  true :: deny x\n  policy third && true :: use foo\n}")
    expect([...Parser.allActions(rs)].sort()).toEqual(["allow", "deny", "use"])
    expect(Parser.references(rs)).toEqual([
      { policy: "other", line: 1, column: 1 },
      { policy: "third", line: 4, column: 3 }
    ])
  })

  it("bad rules are ConfigurationErrors with line and column", () => {
    expect(parseError("all :: allow\n  bogus x :: deny")).toBe("policy p: line 2, column 3: missing test handler: bogus")
    expect(parseError("true && nope :: allow")).toBe("policy p: line 1, column 9: missing test handler: nope")
    expect(parseError("\n\n   just words")).toBe("policy p: line 3, column 4: bad policy line: just words")
    expect(parseError("all :: allow\n}")).toBe("policy p: line 2, column 1: nesting error in rule set (unexpected })")
    expect(parseError("all :: allow\n  true :: {\n  all :: deny\n")).toBe(
      "policy p: line 2, column 11: nesting error in rule set ({ never closed)"
    )
    expect(parseError("all ::   ")).toBe("policy p: line 1, column 7: missing action")
    expect(parseError("all && :: allow")).toBe("policy p: line 1, column 8: missing test")
    expect(parseError("true :: }")).toBe("policy p: line 1, column 9: bad action: } (a block closes with } alone on its line)")
    expect(parseError("has :: allow")).toBe("policy p: line 1, column 1: Invalid or missing field in policy test")
    expect(parseError("bool :: allow")).toBe("policy p: line 1, column 1: bool test requires a field")
    expect(parseError("match :: allow")).toBe("policy p: line 1, column 1: match test requires a field")
    expect(parseError("match_any :: allow")).toBe("policy p: line 1, column 1: match_any test requires a field")
    expect(parseError("compare x ~ 3 :: allow")).toBe("policy p: line 1, column 1: Invalid comparison in test.")
    expect(parseError("compare x < three :: allow")).toBe("policy p: line 1, column 1: Invalid number in compare test: three")
    expect(parseError("compare x < :: allow")).toBe("policy p: line 1, column 1: compare test requires: FIELD OP NUMBER")
    expect(parseError("policy :: allow")).toBe("policy p: line 1, column 1: policy test requires a policy name")
    // line numbers of a text that starts further down a file, and its origin
    const r = Parser.parse("tag", "all :: allow\nbad", PolicyTests.builtins, { lineOffset: 10, origin: "hub.conf [policy] tag" })
    expect(Either.isLeft(r) && r.left.message).toBe("hub.conf [policy] tag: line 12, column 1: bad policy line: bad")
  })

  it.effect("a test may be limited to some policies", () =>
    Effect.gen(function*() {
      const library: Parser.TestLibrary = {
        ...PolicyTests.builtins,
        only_in_q: { make: PolicyTests.constant(true), policies: ["q"] }
      }
      expect(parseError("only_in_q :: allow", library)).toBe("policy p: line 1, column 1: missing test handler: only_in_q")
      const q = Either.getOrThrow(Parser.parse("q", "only_in_q :: allow", library))
      expect((yield* Parser.apply(q, {}, env))?.action).toBe("allow")
    }))
})

describe("PolicyTests: generic tests", () => {
  it("fnmatch as Python's", () => {
    const f = PolicyTests.fnmatch
    expect(f("f40-candidate", "*-candidate")).toBe(true)
    expect(f("f40-candidat", "*-candidate")).toBe(false)
    expect(f("abc", "a?c")).toBe(true)
    expect(f("ac", "a?c")).toBe(false)
    expect(f("a1", "a[0-9]")).toBe(true)
    expect(f("ax", "a[!0-9]")).toBe(true)
    expect(f("a5", "a[!0-9]")).toBe(false)
    expect(f("a]", "a[]]")).toBe(true)
    expect(f("a[", "a[")).toBe(true)
    expect(f("a.b", "a.b")).toBe(true)
    expect(f("axb", "a.b")).toBe(false)
    expect(f("A", "a")).toBe(false)
    expect(f("multi\nline", "multi*")).toBe(true)
    expect(f("a^", "a[\\^]")).toBe(true)
    expect(f("(x)", "(x)")).toBe(true)
  })

  it.effect("true/all, false/none, has, bool", () =>
    Effect.gen(function*() {
      expect(yield* action("true :: a", {})).toBe("a")
      expect(yield* action("all :: a", {})).toBe("a")
      expect(yield* action("false :: a\nnone :: b\nall :: c", {})).toBe("c")
      expect(yield* action("has x :: yes\nall :: no", { x: null })).toBe("yes")
      expect(yield* action("has x :: yes\nall :: no", { x: undefined })).toBe("no")
      const bool = "bool x :: yes\nall :: no"
      for (const v of [true, 1, "a", [1], { a: 1 }]) expect(yield* action(bool, { x: v })).toBe("yes")
      for (const v of [false, 0, "", [], {}, null]) expect(yield* action(bool, { x: v })).toBe("no")
      expect(yield* action(bool, {})).toBe("no")
    }))

  it.effect("match, target: globs against a field; absent and None match nothing", () =>
    Effect.gen(function*() {
      const m = "match name foo* bar :: yes\nall :: no"
      expect(yield* action(m, { name: "foolish" })).toBe("yes")
      expect(yield* action(m, { name: "bar" })).toBe("yes")
      expect(yield* action(m, { name: "barn" })).toBe("no")
      expect(yield* action(m, { name: null })).toBe("no")
      expect(yield* action(m, {})).toBe("no")
      expect(yield* action("match n 5 :: yes\nall :: no", { n: 5 })).toBe("yes")
      expect(yield* action("match b True :: yes\nall :: no", { b: true })).toBe("yes")
      expect(yield* action("match x :: yes\nall :: no", { x: "a" })).toBe("no")
      expect(yield* action("target f4?-candidate :: yes\nall :: no", { target: "f40-candidate" })).toBe("yes")
      expect(yield* action("target f4?-candidate :: yes\nall :: no", { target: "epel" })).toBe("no")
    }))

  it.effect("match_any, match_all: lists only", () =>
    Effect.gen(function*() {
      const any = "match_any arches x86_64 aarch* :: yes\nall :: no"
      const all = "match_all arches x86_64 aarch* :: yes\nall :: no"
      expect(yield* action(any, { arches: ["s390x", "aarch64"] })).toBe("yes")
      expect(yield* action(any, { arches: ["s390x", null] })).toBe("no")
      expect(yield* action(any, { arches: "aarch64" })).toBe("no")
      expect(yield* action(any, { arches: [] })).toBe("no")
      expect(yield* action(all, { arches: ["x86_64", "aarch64"] })).toBe("yes")
      expect(yield* action(all, { arches: ["x86_64", "s390x"] })).toBe("no")
      expect(yield* action(all, { arches: ["x86_64", null] })).toBe("no")
      expect(yield* action(all, { arches: [] })).toBe("no")
      expect(yield* action(all, {})).toBe("no")
      expect(yield* action("match_any ids 1? :: yes\nall :: no", { ids: [3, 12] })).toBe("yes")
    }))

  it.effect("compare: numeric operators against ints and floats", () =>
    Effect.gen(function*() {
      const at = (test: string, v: unknown) => action(`${test} :: yes\nall :: no`, { n: v })
      expect(yield* at("compare n < 5", 4)).toBe("yes")
      expect(yield* at("compare n < 5", 5)).toBe("no")
      expect(yield* at("compare n <= 5", 5)).toBe("yes")
      expect(yield* at("compare n > 2.5", 3)).toBe("yes")
      expect(yield* at("compare n >= 3", 2)).toBe("no")
      expect(yield* at("compare n = 1e3", 1000)).toBe("yes")
      expect(yield* at("compare n != 7", 7)).toBe("no")
      expect(yield* at("compare n = 1", true)).toBe("yes")
      expect(yield* at("compare n = 5", "5")).toBe("no")
      expect(yield* at("compare n != 5", "5")).toBe("yes")
      expect(yield* action("compare n < 5 :: yes\nall :: no", {})).toBe("no")
      const error = yield* Effect.flip(at("compare n < 5", "x"))
      expect(error).toBeInstanceOf(GenericError)
      expect(error.message).toBe("compare test: n is not a number: 'x'")
    }))

  it.effect("operation, method, is_child_task, skip_tag, vm_name: plain data fields", () =>
    Effect.gen(function*() {
      expect(yield* action("operation tag move :: yes\nall :: no", { operation: "move" })).toBe("yes")
      expect(yield* action("operation tag move :: yes\nall :: no", { operation: "untag" })).toBe("no")
      expect(yield* action("method build* :: yes\nall :: no", { method: "buildArch" })).toBe("yes")
      expect(yield* action("is_child_task :: yes\nall :: no", { parent: 12 })).toBe("yes")
      expect(yield* action("is_child_task :: yes\nall :: no", { parent: null })).toBe("no")
      expect(yield* action("skip_tag :: yes\nall :: no", { skip_tag: true })).toBe("yes")
      expect(yield* action("skip_tag :: yes\nall :: no", {})).toBe("no")
      expect(yield* action("vm_name win* :: yes\nall :: no", { vm_name: "win2019" })).toBe("yes")
    }))
})

describe("Policy service: settings, defaults, sub-policies", () => {
  it.effect("Koji's default policies apply to names the settings do not give", () =>
    Effect.gen(function*() {
      const policy = yield* service({})
      expect(policy.names).toEqual([
        "build_from_repo_id", "build_from_scm", "build_from_srpm", "build_rpm", "cg_import", "channel",
        "draft_promotion", "package_list", "priority", "vm", "volume"
      ])
      expect(yield* policy.check("build_rpm", {})).toEqual({
        result: "allow", reason: "", action: "allow", rule: "all :: allow", line: 1, exists: true
      })
      expect(yield* policy.apply("volume", {})).toEqual({ action: "DEFAULT", rule: "all :: DEFAULT", line: 1 })
      expect((yield* policy.apply("priority", {})).action).toBe("stay")
      expect((yield* policy.apply("channel", { req_channel: "x" })).action).toBe("req")
      expect((yield* policy.apply("channel", { parent: 3 })).action).toBe("parent")
      expect((yield* policy.apply("channel", { parent: null })).action).toBe("use default")
      const error = yield* Effect.flip(policy.apply("nothing", {}))
      expect(error.message).toBe("no such policy: nothing")
    }))

  it.effect("a missing policy allows (MissingPolicyOk), or denies when that is off", () =>
    Effect.gen(function*() {
      const policy = yield* service({})
      expect(yield* policy.check("tag", { tag: "x" })).toEqual({
        result: "allow", reason: "missing policy", action: undefined, rule: "", line: undefined, exists: false
      })
      yield* policy.assert("tag", {})
      const strict = yield* service({ missingPolicyOk: false })
      expect((yield* strict.check("tag", {})).result).toBe("deny")
      const error = yield* Effect.flip(strict.assert("tag", {}))
      expect(error).toBeInstanceOf(ActionNotAllowed)
      expect(error.message).toBe("policy violation (tag): missing policy")
    }))

  it.effect("assert: Koji's messages for deny, no match, a reason, a bad verdict, VerbosePolicy", () =>
    Effect.gen(function*() {
      const policy = yield* service({
        policy: {
          tag: "match tag secret :: deny Secret tags are closed\nmatch tag bare :: deny\nmatch tag odd :: maybe\nmatch tag ok :: ALLOW"
        }
      })
      const message = (data: Policy.PolicyData, options?: { default?: string }) =>
        Effect.map(Effect.flip(policy.assert("tag", data, options)), (e) => e.message)
      expect(yield* message({ tag: "secret" })).toBe("policy violation (tag): Secret tags are closed")
      expect(yield* message({ tag: "bare" })).toBe("policy violation (tag)")
      expect(yield* message({ tag: "odd" })).toBe("policy violation (tag): error in policy")
      expect(yield* message({ tag: "none" })).toBe("policy violation (tag): not covered by policy")
      yield* policy.assert("tag", { tag: "ok" })
      yield* policy.assert("tag", { tag: "none" }, { default: "allow" })
      expect(yield* policy.check("tag", { tag: "none" }, { default: "allow" })).toMatchObject({
        result: "allow", reason: "not covered by policy", rule: "(no match)"
      })
      const verbose = yield* service({ policy: { tag: "all :: deny no" }, verbosePolicy: true })
      expect((yield* Effect.flip(verbose.assert("tag", {}))).message).toBe(
        "policy violation (tag): no [rule: all :: deny no]"
      )
    }))

  it.effect("settings override defaults; a policy file's [policy] section is read with its line numbers", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "policy-"))
      const file = Path.join(dir, "hub.conf")
      Fs.writeFileSync(
        file,
        [
          "[hub]",
          "KojiDir = /mnt/koji",
          "",
          "[policy]",
          "tag =",
          "    # only candidates",
          "    match tag *-candidate :: allow",
          "",
          "    all :: deny file",
          "Volume: all :: big",
          "priority = all :: set 5",
          "[other]",
          "x = 1"
        ].join("\n")
      )
      const policy = yield* service({ policyFile: file, policy: { priority: "all :: adjust +3" } })
      expect(yield* policy.check("tag", { tag: "f40-candidate" })).toMatchObject({ result: "allow", line: 7 })
      expect(yield* policy.check("tag", { tag: "f40" })).toMatchObject({ result: "deny", reason: "file", line: 9 })
      expect(yield* policy.apply("volume", {})).toEqual({ action: "big", rule: "all :: big", line: 10 })
      expect((yield* policy.apply("priority", {})).action).toBe("adjust +3")
      Fs.writeFileSync(file, "[policy]\ntag =\n    all :: allow\n    bogus :: deny\n")
      const error = yield* Effect.flip(service({ policyFile: file }))
      expect(error.message).toBe(`${file} [policy] tag: line 4, column 5: missing test handler: bogus`)
      const missing = yield* Effect.flip(service({ policyFile: Path.join(dir, "none.conf") }))
      expect(missing.message).toMatch(/^cannot read policy file /)
      Fs.rmSync(dir, { recursive: true })
    }))

  it.effect("settings from the environment: KOJI_POLICY_<NAME>, KOJI_POLICY_FILE, MissingPolicyOk, VerbosePolicy", () =>
    Effect.gen(function*() {
      const fromMap = yield* HubConfig.config.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map([
        ["KOJI_POLICY_TAG", "has_perm admin :: allow\\nall :: deny"],
        ["KOJI_POLICY_FILE", "/etc/koji-hub/hub.conf"],
        ["KOJI_MISSING_POLICY_OK", "false"],
        ["KOJI_VERBOSE_POLICY", "true"]
      ]))))
      expect(fromMap.policy).toEqual({ tag: "has_perm admin :: allow\nall :: deny" })
      expect(fromMap.policyFile).toBe("/etc/koji-hub/hub.conf")
      expect(fromMap.missingPolicyOk).toBe(false)
      expect(fromMap.verbosePolicy).toBe(true)
      // any KOJI_POLICY_<NAME> of the process names a policy (sub-policies have free names)
      process.env.KOJI_POLICY_MY_SUB_POLICY = "all :: yes"
      const fromEnv = yield* HubConfig.config.pipe(
        Effect.withConfigProvider(ConfigProvider.fromEnv()),
        Effect.ensuring(Effect.sync(() => delete process.env.KOJI_POLICY_MY_SUB_POLICY))
      )
      expect(fromEnv.policy.my_sub_policy).toBe("all :: yes")
      expect(fromEnv.missingPolicyOk).toBe(true)
    }))

  it.effect("a bad rule in the settings fails the layer with its origin, line and column", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(service({ policy: { tag: "all :: allow\n\n  has :: deny" } }))
      expect(error).toBeInstanceOf(ConfigurationError)
      expect(error.message).toBe("KOJI_POLICY_TAG: line 3, column 3: Invalid or missing field in policy test")
      const unknown = yield* Effect.flip(service({ policy: { tag: "policy nowhere :: allow" } }))
      expect(unknown.message).toBe("KOJI_POLICY_TAG: line 1, column 1: no such policy: nowhere")
    }))

  it.effect("policy NAME: true on yes/true/allow; loops are detected", () =>
    Effect.gen(function*() {
      const policy = yield* service({
        policy: {
          tag: "policy sub :: allow\nall :: deny not by sub",
          sub: "match x yes :: YES\nmatch x true :: true\nmatch x deny :: deny\nmatch x other :: use z",
          ping: "has go :: {\n  policy pong :: allow\n}\nall :: deny",
          pong: "policy ping :: allow",
          self: "policy self :: allow"
        }
      })
      for (const x of ["yes", "true"]) expect((yield* policy.check("tag", { x })).result).toBe("allow")
      for (const x of ["deny", "other", "none"]) expect((yield* policy.check("tag", { x })).reason).toBe("not by sub")
      expect((yield* policy.check("ping", {})).reason).toBe("")
      const loop = yield* Effect.flip(policy.check("ping", { go: 1 }))
      expect(loop).toBeInstanceOf(GenericError)
      expect(loop.message).toBe("encountered policy loop at policy pong")
      expect((yield* Effect.flip(policy.check("self", {}))).message).toBe("encountered policy loop at policy self")
      // the same sub-policy twice in one rule is not a loop
      const twice = yield* service({ policy: { a: "policy b && policy b :: allow", b: "all :: allow" } })
      expect((yield* twice.check("a", {})).result).toBe("allow")
    }))

  it.effect("an embedding team adds its own tests (and may replace built-ins)", () =>
    Effect.gen(function*() {
      const policy = yield* service({ policy: { tag: "weekend :: deny not on weekends\ntrue :: allow" } }, {
        tests: {
          weekend: () => Either.right((data) => Effect.succeed(data.day === "sat" || data.day === "sun")),
          true: PolicyTests.constant(false)
        }
      })
      expect(yield* policy.check("tag", { day: "sat" })).toMatchObject({ result: "deny", reason: "not on weekends" })
      expect(yield* policy.check("tag", { day: "mon" })).toMatchObject({ result: "deny", reason: "not covered by policy" })
    }))
})
