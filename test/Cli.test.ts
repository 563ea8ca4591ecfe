/**
 * The `koji-ts` CLI as a user runs it: the binary (`apps/cli/bin.mjs`) as a subprocess
 * against a hub started here over HTTP (and HTTPS for client certificates), through
 * every command, with output and exit codes checked; Koji's config files; and a
 * method defined only in this test, callable and listed with no CLI change.
 *
 * The CLI is database-agnostic: one PGlite hub serves the whole file.
 */
import { RpcGroup } from "@effect/rpc"
import { describe, expect, it, layer } from "@effect/vitest"
import { Effect, Layer, Schema } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { KojiApi } from "../src/api/Api.js"
import * as Method from "../src/api/Method.js"
import * as Cli from "../src/cli/Cli.js"
import * as Config from "../src/cli/Config.js"
import * as Connection from "../src/cli/Connection.js"
import * as Format from "../src/cli/Format.js"
import * as Literal from "../src/cli/Literal.js"
import * as Errors from "../src/domain/Errors.js"
import * as Dispatcher from "../src/hub/Dispatcher.js"
import * as Server from "../src/rpc/Server.js"
import * as Certificates from "./utils/Certificates.js"
import { adminProfile, fault, harness, HubUrl, hubLayer, ok } from "./utils/CliHarness.js"
import * as TestHub from "./utils/Hub.js"
import * as Hub from "../src/hub/Hub.js"

// the hub: PGlite, over HTTP (its URL in `HubUrl`); the binary as a subprocess and the CLI in
// process (the detailed session runs this way, to stay fast), in a home and /etc of our own
const { bin, binAll, etc, home, koji, kojiAll, run: runInProcess, spawn: spawnCli, writeConfigs: writeFiles } = harness("koji-cli")

const builtinFlags = (name: string) => Cli.builtinCommands.find((spec) => spec.name === name)!.flags

const writeConfigs = (url: string) => {
  // /etc: the default profile; ~/.koji/config: two profiles that log in with a password
  // (ConfigParser's `key: value` too)
  writeFiles({
    system: `[koji]\nserver = ${url}/api\nweburl = http://example.org/koji\n`,
    user: [
      "; profiles for the CLI test",
      adminProfile(url),
      "[bob]",
      `server: ${url}/api`,
      "user: bob",
      "password: bob-password%%1",
      ""
    ].join("\n")
  })
  // a drop-in that koji.conf overrides
  Fs.mkdirSync(Path.join(etc, "koji.conf.d"), { recursive: true })
  Fs.writeFileSync(Path.join(etc, "koji.conf.d", "00-old.conf"), "[koji]\nserver = http://127.0.0.1:1/kojihub\n")
}

// ---------------------------------------------------------------------------------------------

describe("Cli (pure parts)", () => {
  it("reads values as Koji's arg_filter and Python literals", () => {
    expect([..."123 -4 1_000 2.5 1e3 None True False x 'x' [1]".split(" ")].map(Literal.argFilter))
      .toEqual([123, -4, 1000, 2.5, 1000, null, true, false, "x", "'x'", "[1]"])
    const ok = (text: string) => {
      const r = Literal.literalEval(text)
      if (r._tag === "Left") throw r.left
      return r.right
    }
    expect(ok("[1, -2.5, 'a', \"b\", None, True, {'k': (1, 2)}, (3,), 0x10]"))
      .toEqual([1, -2.5, "a", "b", null, true, { k: [1, 2] }, [3], 16])
    expect(ok("'a\\n' 'b'")).toBe("a\nb")
    expect(ok("{1: 'one'}")).toEqual({ 1: "one" })
    for (const bad of ["foo", "foo bar", "[1,", "'open", "1 2", "{'a' 1}"]) {
      expect(Literal.literalEval(bad)._tag).toBe("Left")
    }
  })

  it("prints as Python's pprint and json.dumps", () => {
    expect(Format.pformat({ b: [1, 2.5], a: "it's", c: null, d: true })).toBe(
      "{'a': \"it's\", 'b': [1, 2.5], 'c': None, 'd': True}"
    )
    const long = Array.from({ length: 12 }, (_, i) => ({ id: i, name: `user-${i}` }))
    const lines = Format.pformat(long).split("\n")
    expect(lines[0]).toBe("[{'id': 0, 'name': 'user-0'},")
    expect(lines[1]).toBe(" {'id': 1, 'name': 'user-1'},")
    expect(lines.at(-1)).toBe(" {'id': 11, 'name': 'user-11'}]")
    expect(Format.pformat({ key: "x".repeat(90) })).toBe(`{'key': '${"x".repeat(90)}'}`)
    expect(Format.jsonDumps({ a: [1, { b: "é" }] })).toBe("{\n  \"a\": [\n    1,\n    {\n      \"b\": \"\\u00e9\"\n    }\n  ]\n}")
    expect(Format.formatTimeLong(1_700_000_000.5)).toMatch(/^[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} 2023 \d\d:\d\d:\d\d \S+$/)
  })

  it("reads Koji's config files in Koji's order, --config replacing the user's", () =>
    Effect.gen(function*() {
      const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-cli-config-"))
      const locations = { home: Path.join(dir, "home"), sysconfdir: Path.join(dir, "etc") }
      Fs.mkdirSync(Path.join(locations.sysconfdir, "koji.conf.d"), { recursive: true })
      Fs.mkdirSync(Path.join(locations.home, ".koji", "config.d"), { recursive: true })
      Fs.writeFileSync(Path.join(locations.sysconfdir, "koji.conf.d", "a.conf"), "[koji]\nserver = A\ntopurl = T\n")
      Fs.writeFileSync(Path.join(locations.sysconfdir, "koji.conf"), "[koji]\nserver = B\n[fedora.stg]\nserver = S\n")
      Fs.writeFileSync(Path.join(locations.home, ".koji", "config.d", "x.conf"), "[koji]\nserver = C\nweburl = W\n")
      Fs.writeFileSync(
        Path.join(locations.home, ".koji", "config"),
        "[DEFAULT]\npoll_interval = 3\n[koji]\nserver = D;not a comment\nanon_retry = yes\ncert = ~/my.pem\n" +
          "password = \"quoted\" and #hash\ndescription = line one\n  line two\nweburl = %(server)s/web\n"
      )
      Fs.writeFileSync(Path.join(dir, "alt.conf"), "[koji]\nserver = E\n[other]\nserver = F\n")
      const koji = yield* Config.read({ profile: "koji", locations })
      expect(koji).toMatchObject({
        profile: "koji",
        server: "D;not a comment",
        topurl: "T",
        weburl: "D;not a comment/web",
        poll_interval: 3,
        anon_retry: true,
        cert: Path.join(locations.home, "my.pem"),
        serverca: "",
        password: "\"quoted\" and #hash",
        topdir: "/mnt/koji",
        max_retries: 30
      })
      expect((yield* Config.read({ profile: "fedora.stg", locations })).server).toBe("S")
      const alt = yield* Config.read({ profile: "other", locations, configFile: Path.join(dir, "alt.conf") })
      expect(alt.server).toBe("F")
      // /etc is still read with --config; the user's files are not
      expect((yield* Config.read({ profile: "koji", locations, configFile: Path.join(dir, "alt.conf") })).server).toBe("E")
      const missing = yield* Effect.flip(Config.read({ profile: "nope", locations }))
      expect(missing.message).toBe("no configuration for profile name: nope")
      const noFile = yield* Effect.flip(Config.read({ profile: "koji", locations, configFile: Path.join(dir, "none") }))
      expect(noFile.message).toBe(`Config file ${Path.join(dir, "none")} can't be opened.`)
      // the default profile may be missing: Koji's defaults
      const empty = { home: Path.join(dir, "nohome"), sysconfdir: Path.join(dir, "noetc") }
      expect((yield* Config.read({ profile: "koji", locations: empty, required: false })).server).toBe("http://localhost/kojihub")
      Fs.rmSync(dir, { recursive: true, force: true })
    }).pipe(Effect.runPromise))

  it("finds the command word after the global options", () => {
    expect(Cli.commandIndex(["-p", "x", "-q", "--server", "y", "hello", "a"])).toBe(5)
    expect(Cli.commandIndex(["--server=y", "list-hosts"])).toBe(1)
    expect(Cli.commandIndex(["-d"])).toBeUndefined()
  })
})

// ---------------------------------------------------------------------------------------------
// a method defined only here: `call` and `list-api` see it, with no CLI change

const cliTestAdd = Method.make("cliTestAdd", {
  params: {
    a: Schema.Int,
    b: Method.optional(Schema.Int, 1),
    label: Method.keyword(Schema.String, "sum")
  },
  success: Schema.Struct({ label: Schema.String, total: Schema.Int }),
  access: "anon",
  doc: "Add two numbers (defined only in the CLI test)"
})

class TestOnlyApi extends RpcGroup.make(cliTestAdd) {}

const ExtendedApi = KojiApi.merge(TestOnlyApi)

const testOnlyHandlers = TestOnlyApi.toLayer({
  cliTestAdd: ({ a, b, label }) => Effect.succeed({ label, total: a + b })
})

// a transport into the hub's dispatcher, built for the extended API
const inProcess = (dispatcher: Dispatcher.Dispatcher["Type"]): Connection.Connector => (options) =>
  Effect.succeed({
    url: options.url,
    protocol: "in-process",
    call: (method, payload) => {
      const entry = dispatcher.methods.get(method)
      if (entry === undefined) return Effect.fail(Connection.invalidMethod(method))
      return dispatcher.request(
        { method, credentials: undefined, transport: { remoteAddress: "in-process" } },
        dispatcher.invokeEncoded(entry, payload)
      ).pipe(
        Effect.flatMap((result) => Schema.encodeUnknown(entry.rpc.successSchema as Schema.Schema<unknown, unknown>)(result)),
        Effect.mapError((e) => Errors.isKojiError(e) ? e : new Errors.GenericError({ message: String(e) }))
      )
    }
  })

// ---------------------------------------------------------------------------------------------

layer(hubLayer(), { timeout: "180 seconds", excludeTestServices: true })("Cli", (it) => {
  it.scoped("the binary bundles itself once; main.ts also runs through tsx", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      const first = yield* bin("version")
      ok(first, "Client: 1.35.3 (koji-ts 0.1.0)\nHub:    1.35.3\n")
      const tsx = yield* spawnCli(["version"], { tsx: true })
      ok(tsx, first.stdout)
    }), 120_000)

  it.scoped("a boolean flag never takes the next word as its value (Koji's flags take none)", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      // `-r 1`: 1 is the task id, not the flag's value
      const info = yield* koji("taskinfo", "-r", "1")
      expect(info.stderr).toContain("No such task: 1")
      const flags = builtinFlags("taskinfo")
      expect(flags.get("-r")).toBe("--recurse")
      expect(flags.get("--recurse")).toBe("--recurse")
    }))

  it.scoped("the command list, help, completions, greetings; unknown commands and options", () =>
    Effect.gen(function*() {
      const [list, help, usage, completions, unknown, badOption, admin] = yield* kojiAll(
        [],
        ["help", "info"],
        ["add-host", "--help"],
        ["--completions", "bash"],
        ["frobnicate"],
        ["list-hosts", "--bogus"],
        ["help", "admin"]
      )
      ok(list)
      expect(list.stdout).toContain("Available commands:\n\nadmin commands:\n        add-channel               Add a channel\n")
      expect(list.stdout).toContain("\nmiscellaneous commands:\n        call                      Execute an arbitrary XML-RPC call\n")
      expect(list.stdout).toContain("Available categories are: admin, all, bind, build, download, info, misc, monitor, search\n")
      ok(help)
      expect(help.stdout).toContain(
        "info commands:\n        buildinfo                 Print basic information about a build\n" +
          "        help                      List available commands\n        hostinfo "
      )
      expect(help.stdout).not.toContain("admin commands:")
      ok(admin)
      expect(admin.stdout).toContain("        userinfo                  Show information about a user\n")
      ok(usage)
      expect(usage.stdout).toContain("usage: koji-ts add-host [options] <hostname> <arch> [<arch> ...]")
      expect(usage.stdout).toContain("--krb-principal")
      ok(completions)
      expect(completions.stdout).toContain("_koji-ts_bash_completions")
      expect(unknown.code).toBe(1)
      expect(unknown.stdout).toContain("Available commands:")
      expect(unknown.stderr).toMatch(/\[ERROR\] koji: Unknown command: frobnicate\n$/)
      expect(badOption.code).toBe(2)
      expect(badOption.stderr).toContain("--bogus")
    }), 120_000)

  it.scoped("version, moshimoshi and its greetings; logins as the config says", () =>
    Effect.gen(function*() {
      const url = yield* HubUrl
      const [noAuth, anonymous, admin, hi, xmlrpc, xmlrpcLogin, xmlrpcHosts, unreachable, prompt] = yield* kojiAll(
        ["hello"],
        ["--noauth", "moshimoshi"],
        ["-p", "admin", "moshimoshi"],
        ["--user", "admin", "--password", TestHub.adminPassword, "bonjour"],
        ["-s", `${url}/kojihub`, "version"],
        ["-s", `${url}/kojihub`, "--user", "admin", "--password", TestHub.adminPassword, "moshimoshi"],
        ["-s", `${url}/kojihub`, "--noauth", "list-channels", "--quiet"],
        ["-s", "http://127.0.0.1:1/api", "version"],
        ["--user", "admin", "hello"]
      )
      // no credentials anywhere: Koji's message
      expect(noAuth).toEqual({ code: 1, stdout: "", stderr: "Unable to log in, no authentication methods available\n" })
      ok(anonymous)
      expect(anonymous.stdout).toMatch(
        new RegExp(`^Not authenticated\n.+, anonymous user!\n\nYou are using the hub at ${url}/api \\(Koji 1\\.35\\.3\\)\n$`)
      )
      ok(admin)
      expect(admin.stdout).toMatch(
        new RegExp(`^.+, admin!\n\nYou are using the hub at ${url}/api \\(Koji 1\\.35\\.3\\)\nAuthenticated via password\n$`)
      )
      ok(hi)
      expect(hi.stdout).toContain(", admin!\n")
      // the same CLI over Koji's XML-RPC at /kojihub
      ok(xmlrpc)
      expect(xmlrpc.stdout).toContain("Hub:    1.35.3")
      ok(xmlrpcLogin)
      expect(xmlrpcLogin.stdout).toContain(`You are using the hub at ${url}/kojihub (Koji 1.35.3)\nAuthenticated via password`)
      ok(xmlrpcHosts)
      expect(xmlrpcHosts.stdout).toContain("default")
      expect(unreachable).toMatchObject({ code: 1, stderr: "Error: Unable to connect to server\n" })
      // no password and no terminal: no prompt, a clear error
      expect(prompt.code).toBe(1)
      expect(prompt.stderr).toContain("Unable to log in as admin: no password given")
    }), 120_000)

  it.scoped("list-api and call, generated from the API definitions", () =>
    Effect.gen(function*() {
      const [listApi, one, unknownMethod, getUser, asJson, filtered, python, json, kwargs, tooMany, invalid, badLiteral, bare, needsLogin] =
        yield* kojiAll(
          ["list-api"],
          ["list-api", "getUser"],
          ["list-api", "nosuch"],
          ["--noauth", "call", "getUser", "admin"],
          ["--noauth", "call", "--json-output", "getUser", "userInfo=admin"],
          ["--noauth", "call", "echo", "1", "-2", "2.5", "None", "True", "x", "'y'"],
          ["--noauth", "call", "--python", "echo", "[1, 'a', {'k': None}]", "(2, 3)"],
          ["--noauth", "call", "--json-input", "echo", "{\"a\": [1, 2]}", "null"],
          ["--noauth", "call", "--kwargs", "{'userInfo': 'admin', 'strict': True}", "getUser"],
          ["--noauth", "call", "getUser", "1", "2", "3", "4", "5"],
          ["--noauth", "call", "noSuchMethod"],
          ["--noauth", "call", "--python", "echo", "foo bar"],
          ["--noauth", "call", "--python", "--bare-strings", "echo", "foo bar"],
          ["call", "getLoggedInUser"]
        )
      ok(listApi)
      expect(listApi.stdout).toContain(
        "getUser(userInfo=None, strict=False, krb_princs=True, groups=False)\n" +
          "  description: User info {id,name,status,usertype,krb_principals[,groups]} by id, name, principal or dict; None = the caller\n"
      )
      expect(listApi.stdout).toContain("echo(*args)\n  description: Debug: returns its positional arguments as an array\n")
      expect(listApi.stdout).not.toContain("multiCall")
      const names = listApi.stdout.split("\n").filter((l) => l !== "" && !l.startsWith(" ")).map((l) => l.split("(")[0]!)
      expect(names).toEqual([...names].sort())
      ok(one, "getUser(userInfo=None, strict=False, krb_princs=True, groups=False)\n" +
        "description: User info {id,name,status,usertype,krb_principals[,groups]} by id, name, principal or dict; None = the caller\n")
      expect(unknownMethod.code).toBe(2)
      expect(unknownMethod.stderr).toContain("koji-ts: error: Unknown method: nosuch")
      ok(getUser, "{'id': 1, 'krb_principals': [], 'name': 'admin', 'status': 0, 'usertype': 0}\n")
      ok(asJson)
      expect(JSON.parse(asJson.stdout)).toEqual({ id: 1, name: "admin", status: 0, usertype: 0, krb_principals: [] })
      expect(asJson.stdout).toContain("{\n  \"id\": 1,\n")
      ok(filtered, "[1, -2, 2.5, None, True, 'x', \"'y'\"]\n")
      ok(python, "[[1, 'a', {'k': None}], [2, 3]]\n")
      ok(json, "[{'a': [1, 2]}, None]\n")
      ok(kwargs)
      expect(kwargs.stdout).toContain("'name': 'admin'")
      fault(tooMany, "ParameterError", "getUser() takes from 0 to 4 positional arguments but 5 were given")
      fault(invalid, "GenericError", "Invalid method: noSuchMethod")
      expect(badLiteral.code).toBe(2)
      expect(badLiteral.stderr).toBe(
        "Usage: koji-ts call [options] <name> [<arg> ...]\n" +
          "(Specify the --help global option for a list of other help options)\n\n" +
          "koji-ts: error: Invalid value: 'foo bar'\n"
      )
      ok(bare, "['foo bar']\n")
      // call logs in (Koji's handle_call), so with no credentials it stops there
      expect(needsLogin).toMatchObject({ code: 1, stderr: "Unable to log in, no authentication methods available\n" })
    }), 120_000)

  it.scoped("users and permissions", () =>
    Effect.gen(function*() {
      const added = yield* koji("-p", "admin", "add-user", "bob")
      ok(added)
      const bobId = Number(/^Added user bob \((\d+)\)\n$/.exec(added.stdout)?.[1])
      expect(bobId).toBeGreaterThan(1)
      const [again, carol, noCreds, password] = yield* kojiAll(
        ["-p", "admin", "add-user", "bob"],
        ["-p", "admin", "add-user", "carol", "--disable", "--principal", "carol@EXAMPLE.COM"],
        ["add-user", "dave"],
        ["-p", "admin", "call", "editUser", "bob", "password=bob-password%1"]
      )
      fault(again, "GenericError", "user already exists: bob")
      ok(carol)
      expect(carol.stdout).toMatch(/^Added user carol \(\d+\)\n$/)
      expect(noCreds.code).toBe(1)
      ok(password, "None\n")

      // bob logs in with his profile, and may not administer
      const [bobHello, bobAdd] = yield* kojiAll(["-p", "bob", "moshimoshi"], ["-p", "bob", "add-user", "eve"])
      ok(bobHello)
      expect(bobHello.stdout).toContain(", bob!\n")
      fault(bobAdd, "ActionNotAllowed", "admin permission required (logged in as bob)")

      const [edited, disabled] = yield* kojiAll(
        ["-p", "admin", "edit-user", "carol", "--rename", "carol2", "--remove-krb", "carol@EXAMPLE.COM", "--add-krb", "c2@EXAMPLE.COM"],
        ["-p", "admin", "disable-user", "bob"]
      )
      ok(edited, "")
      ok(disabled, "")
      const blocked = yield* koji("-p", "bob", "hello")
      expect(blocked.code).toBe(1)
      expect(blocked.stderr).toMatch(/\[ERROR\] koji: AuthError: /)
      ok(yield* koji("-p", "admin", "enable-user", "bob"), "")

      const [info, list, prefixed, any, badType, asJson] = yield* kojiAll(
        ["userinfo", "carol2", "nobody"],
        ["list-users"],
        ["list-users", "--prefix", "ca"],
        ["list-users", "--usertype", "any"],
        ["list-users", "--usertype", "bogus"],
        ["list-users", "--json"]
      )
      expect(info.code).toBe(0)
      expect(info.stderr).toBe("No such user: nobody\n\n")
      expect(info.stdout).toMatch(
        /^User name: carol2\nUser ID: \d+\nkrb principals:\n {2}c2@EXAMPLE.COM\nStatus: BLOCKED\nUsertype: NORMAL\n(Number of \w+: 0\n)*\n$/
      )
      ok(list, "admin\nbob\ncarol2\n")
      ok(prefixed, "carol2\n")
      ok(any)
      expect(any.stdout).toContain("bob\n")
      expect(badType).toEqual({ code: 1, stdout: "", stderr: "Invalid usertype: bogus\n" })
      ok(asJson)
      expect(JSON.parse(asJson.stdout).map((u: { name: string }) => u.name)).toEqual(["admin", "bob", "carol2"])

      const [granted, grantMissing, grantDescription] = yield* kojiAll(
        ["-p", "admin", "grant-permission", "--new", "--description", "Builds things", "cli-builder", "bob", "carol2"],
        ["-p", "admin", "grant-permission", "admin", "nobody"],
        ["-p", "admin", "grant-permission", "--description", "x", "admin", "bob"]
      )
      ok(granted, "")
      expect(grantMissing.code).toBe(2)
      expect(grantMissing.stderr).toContain(
        "Usage: koji-ts grant-permission [options] <permission> <user> [<user> ...]\n"
      )
      expect(grantMissing.stderr).toContain("\nkoji-ts: error: No such user: nobody\n")
      expect(grantDescription.code).toBe(2)
      expect(grantDescription.stderr).toContain("koji-ts: error: Option new must be specified with option description.")

      const [bobPerms, allPerms, mine, noLogin] = yield* kojiAll(
        ["-p", "admin", "list-permissions", "--user", "bob"],
        ["-p", "admin", "list-permissions"],
        ["-p", "bob", "-q", "list-permissions", "--mine"],
        ["list-permissions"]
      )
      ok(bobPerms, "Permission name   \n------------------\ncli-builder       \n")
      ok(allPerms)
      const lines = allPerms.stdout.split("\n")
      expect(lines[0]).toBe("Permission name   " + "   Description".padEnd(53))
      expect(lines[1]).toBe("-".repeat(lines[0]!.length))
      expect(lines).toContain("cli-builder          Builds things")
      ok(mine, "cli-builder       \n")
      expect(noLogin.code).toBe(1)

      ok(yield* koji("-p", "admin", "revoke-permission", "cli-builder", "carol2"), "")
      const [carolPerms, bobInfo] = yield* kojiAll(
        ["-p", "admin", "list-permissions", "--user", "carol2", "--quiet"],
        ["userinfo", "bob"]
      )
      ok(carolPerms, "")
      ok(bobInfo)
      expect(bobInfo.stdout).toContain(`User ID: ${bobId}\nkrb principals:\nPermissions:\n  cli-builder\nStatus: NORMAL\n`)
    }), 180_000)

  it.scoped("hosts and channels", () =>
    Effect.gen(function*() {
      const [b1, b2] = yield* kojiAll(
        ["-p", "admin", "add-host", "b1", "x86_64", "i686"],
        ["-p", "admin", "add-host", "b2", "aarch64"]
      )
      ok(b1)
      const b1Id = Number(/^b1 added: id (\d+)\n$/.exec(b1.stdout)?.[1])
      expect(b1Id).toBeGreaterThan(0)
      ok(b2)
      const [b1Again, edited, noHost, noLogin] = yield* kojiAll(
        ["-p", "admin", "add-host", "b1", "x86_64"],
        ["-p", "admin", "edit-host", "b1", "--capacity", "4", "--description", "first builder", "--comment", "line one\nline two"],
        ["-p", "admin", "edit-host", "nope", "--capacity", "1"],
        ["add-host", "b3", "x86_64"]
      )
      expect(b1Again).toEqual({ code: 1, stdout: "", stderr: "b1 is already in the database\n" })
      ok(edited, "Edited b1\n")
      expect(noHost).toEqual({
        code: 1,
        stdout: "",
        stderr: "No such host: nope\nNo changes made, please correct the command line\n"
      })
      expect(noLogin.code).toBe(1)
      const [unchanged, disable, disableMissing] = yield* kojiAll(
        ["-p", "admin", "edit-host", "b1", "--capacity", "4"],
        ["-p", "admin", "disable-host", "b2", "--comment", "broken"],
        ["-p", "admin", "disable-host", "b1", "nope"]
      )
      ok(unchanged, "No changes made to b1\n")
      ok(disable, "")
      expect(disableMissing).toEqual({
        code: 1,
        stdout: "No such host: nope\n",
        stderr: "No changes made. Please correct the command line.\n"
      })

      const [all, disabledOnly, wide, asJson, badChannel, info, noneFound] = yield* kojiAll(
        ["list-hosts"],
        ["-q", "list-hosts", "--disabled"],
        ["list-hosts", "--show-channels", "--comment", "--description"],
        ["list-hosts", "--json"],
        ["list-hosts", "--channel", "nochan"],
        ["hostinfo", "b1", String(b1Id), "nope"],
        ["list-hosts", "--arch", "s390x"]
      )
      ok(all)
      expect(all.stdout.split("\n").map((l) => l.trimEnd())).toEqual([
        "Hostname Enb Rdy Load/Cap  Arches           Last Update",
        "-".repeat("Hostname Enb Rdy Load/Cap  Arches           Last Update                         ".length),
        // Koji pads the names to the longest one, not to the header
        "b1 Y   N    0.0/4.0  x86_64,i686      -",
        "b2 N   N    0.0/2.0  aarch64          -",
        ""
      ])
      ok(disabledOnly)
      expect(disabledOnly.stdout.trimEnd()).toBe("b2 N   N    0.0/2.0  aarch64          -")
      ok(wide)
      const b1Line = wide.stdout.split("\n")[2]!
      expect(b1Line).toContain(" first builder ")
      expect(b1Line).toContain(" line one line two ")
      expect(b1Line.endsWith(" default")).toBe(true)
      ok(asJson)
      expect(JSON.parse(asJson.stdout)).toMatchObject([
        { name: "b1", arches: "x86_64 i686", capacity: 4, enabled: true },
        { name: "b2", enabled: false, comment: "broken" }
      ])
      expect(badChannel.code).toBe(2)
      expect(badChannel.stderr).toContain("koji-ts: error: No such channel: nochan")
      expect(info.code).toBe(1)
      expect(info.stderr).toBe("No such host: nope\n\n")
      const block = [
        "Name: b1",
        `ID: ${b1Id}`,
        "Arches: x86_64 i686",
        "Capacity: 4.0",
        "Task Load: 0.00",
        "Description: first builder",
        "Comment: line one",
        "         line two",
        "Enabled: yes",
        "Ready: no",
        "Last Update: never",
        "Channels: default",
        "Active Buildroots:",
        "None"
      ].join("\n")
      expect(info.stdout).toBe(`${block}\n${block}\n`)
      expect(noneFound).toEqual({ code: 0, stdout: "", stderr: "No hosts found.\n" })
      ok(yield* koji("-p", "admin", "enable-host", "b2"), "")

      // channels
      const [added, addedAgain] = yield* kojiAll(
        ["-p", "admin", "add-channel", "cli-chan", "--description", "for the CLI"],
        ["-p", "admin", "add-channel", "default"]
      )
      ok(added)
      expect(added.stdout).toMatch(/^cli-chan added: id \d+\n$/)
      expect(addedAgain).toEqual({ code: 1, stdout: "", stderr: "channel default already exists\n" })
      const [commented, nothing, missingChannel, joined, joinMissing, joinNew] = yield* kojiAll(
        ["-p", "admin", "edit-channel", "cli-chan", "--comment", "a comment"],
        ["-p", "admin", "edit-channel", "default"],
        ["-p", "admin", "edit-channel", "nochan", "--comment", "x"],
        ["-p", "admin", "add-host-to-channel", "b1", "cli-chan"],
        ["-p", "admin", "add-host-to-channel", "b1", "nochan"],
        ["-p", "admin", "add-host-to-channel", "b2", "cli-new", "--new"]
      )
      ok(commented, "")
      expect(nothing).toEqual({ code: 1, stdout: "", stderr: "No changes made, please correct the command line\n" })
      expect(missingChannel).toEqual({ code: 1, stdout: "", stderr: "No such channel: nochan\n" })
      ok(joined, "")
      expect(joinMissing).toEqual({ code: 1, stdout: "", stderr: "No such channel: nochan\n" })
      ok(joinNew, "")
      const [disabledChannel, enableMissing] = yield* kojiAll(
        ["-p", "admin", "disable-channel", "cli-new", "--comment", "not now"],
        ["-p", "admin", "enable-channel", "cli-new", "nochan"]
      )
      ok(disabledChannel, "")
      expect(enableMissing).toEqual({
        code: 1,
        stdout: "No such channel: nochan\n",
        stderr: "No changes made. Please correct the command line.\n"
      })
      const [channels, simple, onlyDisabled, described, channelsJson] = yield* kojiAll(
        ["list-channels"],
        ["list-channels", "--simple", "--quiet"],
        ["list-channels", "--disabled", "--simple"],
        ["list-channels", "--description", "--comment", "--quiet"],
        ["list-channels", "--json"]
      )
      ok(channels)
      const channelLines = channels.stdout.split("\n")
      const width = "cli-new [disabled]".length
      expect(channelLines[0]).toBe(`${"Channel".padEnd(width)}Enabled  Ready Disbld   Load    Cap   Perc    `)
      expect(channelLines).toContain(`${"cli-chan".padEnd(width)}      1      0      0      0      4      0%`)
      expect(channelLines).toContain(`${"cli-new [disabled]".padEnd(width)}      1      0      0      0      2      0%`)
      ok(simple)
      expect(simple.stdout.split("\n")).toEqual(expect.arrayContaining(["cli-chan", "cli-new [disabled]", "default"]))
      ok(onlyDisabled, "Channel\n-------\ncli-new [disabled]\n")
      ok(described)
      expect(described.stdout).toContain(`0%   ${"for the CLI".padEnd(50)}   ${"a comment".padEnd(50)}\n`)
      ok(channelsJson)
      expect(JSON.parse(channelsJson.stdout)).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: "cli-chan", enabled_host: 1, capacity: 4 })])
      )
      ok(yield* koji("-p", "admin", "enable-channel", "cli-new"), "")

      const removed = yield* koji("-p", "admin", "remove-host-from-channel", "b1", "cli-chan")
      ok(removed, "")
      const [removedAgain, info2] = yield* kojiAll(
        ["-p", "admin", "remove-host-from-channel", "b1", "cli-chan"],
        ["hostinfo", "b2"]
      )
      expect(removedAgain).toEqual({ code: 1, stdout: "", stderr: "Host b1 is not a member of channel cli-chan\n" })
      ok(info2)
      expect(info2.stdout).toContain("\nChannels: default cli-new\n")
    }), 180_000)

  it.scoped("config: --profile picks a profile, --config replaces the user's files, /etc is read in Koji's order", () =>
    Effect.gen(function*() {
      const url = yield* HubUrl
      const alt = Path.join(home, "alt.conf")
      Fs.writeFileSync(alt, `[other]\nserver = ${url}/api\nuser = admin\npassword = ${TestHub.adminPassword}\n`)
      const [byProfile, replaced, fromAlt, missing, noFile, systemDefault] = yield* kojiAll(
        ["-p", "admin", "list-permissions", "--mine", "--quiet"],
        ["-c", alt, "-p", "admin", "version"],
        ["-c", alt, "-p", "other", "moshimoshi"],
        ["-p", "nope", "version"],
        ["-c", Path.join(home, "none.conf"), "version"],
        // the default profile comes from /etc/koji.conf, which overrides /etc/koji.conf.d
        ["version"]
      )
      ok(byProfile, "admin             \n")
      expect(replaced.code).toBe(2)
      expect(replaced.stderr).toBe(
        "Usage: koji-ts [global-options] command [command-options-and-arguments]\n\n" +
          "Common commands: build, download-build, help, latest-build, list-targets, search\n\n" +
          "koji-ts: error: no configuration for profile name: admin\n"
      )
      ok(fromAlt)
      expect(fromAlt.stdout).toContain(", admin!\n")
      expect(missing.code).toBe(2)
      expect(missing.stderr).toContain("koji-ts: error: no configuration for profile name: nope\n")
      expect(noFile.code).toBe(2)
      expect(noFile.stderr).toContain(`koji-ts: error: Config file ${Path.join(home, "none.conf")} can't be opened.\n`)
      ok(systemDefault)
    }), 120_000)

  it.scoped("errors: one line, the cause with --debug", () =>
    Effect.gen(function*() {
      const [plain, debug] = yield* kojiAll(
        ["-p", "admin", "add-user", "admin"],
        ["-d", "-p", "admin", "add-user", "admin"]
      )
      fault(plain, "GenericError", "user already exists: admin")
      expect(debug.code).toBe(1)
      expect(debug.stdout).toBe("successfully connected to hub\n")
      expect(debug.stderr.split("\n")[0]).toMatch(/\[ERROR\] koji: GenericError: user already exists: admin$/)
      expect(debug.stderr.split("\n").length).toBeGreaterThan(2)
    }), 120_000)

  it.scoped("--cert logs in with a client certificate over HTTPS (serverca from the profile)", () =>
    Effect.gen(function*() {
      const certs = Certificates.make()
      const server = yield* Layer.build(
        Server.layer({ host: "127.0.0.1", port: 0, tls: { key: certs.server.key, cert: certs.server.cert, ca: certs.ca } })
      )
      const url = (yield* Effect.provide(Server.url, server)).replace("http://", "https://")
      const pem = certs.client("cli-cert-user")
      const certFile = Path.join(home, "client.pem")
      const caFile = Path.join(home, "serverca.crt")
      Fs.writeFileSync(certFile, `${pem.cert}${pem.key}`)
      Fs.writeFileSync(caFile, certs.ca)
      Fs.appendFileSync(Path.join(home, ".koji", "config"), `\n[tls]\nserver = ${url}/api\nserverca = ${caFile}\n`)
      const viaCert = yield* koji("-p", "tls", "--cert", certFile, "moshimoshi")
      const anonymous = yield* koji("-p", "tls", "list-users", "--prefix", "cli-cert")
      ok(viaCert)
      expect(viaCert.stdout).toMatch(new RegExp(
        `, cli-cert-user!\n\nYou are using the hub at ${url}/api \\(Koji 1\\.35\\.3\\)\n` +
          `Authenticated via client certificate ${certFile}\n$`
      ))
      ok(anonymous, "cli-cert-user\n")
    }), 120_000)

  it.scoped("the binary: a session through every command, as subprocesses", () =>
    Effect.gen(function*() {
      const url = yield* HubUrl
      const admin = ["-p", "admin"]
      const [version, hello, listApi, call, addUser, addHost, addChannel] = yield* binAll(
        ["version"],
        [...admin, "hello"],
        ["list-api", "getHost"],
        ["--noauth", "call", "getUser", "admin"],
        [...admin, "add-user", "bin-u"],
        [...admin, "add-host", "bin-h", "x86_64"],
        [...admin, "add-channel", "bin-c"]
      )
      ok(version, "Client: 1.35.3 (koji-ts 0.1.0)\nHub:    1.35.3\n")
      ok(hello)
      expect(hello.stdout).toMatch(new RegExp(`, admin!\n\nYou are using the hub at ${url}/api \\(Koji 1\\.35\\.3\\)\nAuthenticated via password\n$`))
      ok(listApi)
      expect(listApi.stdout).toMatch(/^getHost\(hostInfo, strict=False, event=None\)\ndescription: .+\n$/)
      ok(call, "{'id': 1, 'krb_principals': [], 'name': 'admin', 'status': 0, 'usertype': 0}\n")
      ok(addUser)
      expect(addUser.stdout).toMatch(/^Added user bin-u \(\d+\)\n$/)
      ok(addHost)
      expect(addHost.stdout).toMatch(/^bin-h added: id \d+\n$/)
      ok(addChannel)
      expect(addChannel.stdout).toMatch(/^bin-c added: id \d+\n$/)

      const [editUser, editHost, editChannel, join] = yield* binAll(
        [...admin, "edit-user", "bin-u", "--rename", "bin-v"],
        [...admin, "edit-host", "bin-h", "--capacity", "3"],
        [...admin, "edit-channel", "bin-c", "--comment", "hi"],
        [...admin, "add-host-to-channel", "bin-h", "bin-c"]
      )
      ok(editUser, "")
      ok(editHost, "Edited bin-h\n")
      ok(editChannel, "")
      ok(join, "")

      const [disableUser, disableHost, disableChannel, grant] = yield* binAll(
        [...admin, "disable-user", "bin-v"],
        [...admin, "disable-host", "bin-h"],
        [...admin, "disable-channel", "bin-c"],
        [...admin, "grant-permission", "--new", "bin-perm", "bin-v"]
      )
      for (const r of [disableUser, disableHost, disableChannel, grant]) ok(r, "")

      const [enableUser, enableHost, enableChannel, perms] = yield* binAll(
        [...admin, "enable-user", "bin-v"],
        [...admin, "enable-host", "bin-h"],
        [...admin, "enable-channel", "bin-c"],
        [...admin, "list-permissions", "--user", "bin-v"]
      )
      for (const r of [enableUser, enableHost, enableChannel]) ok(r, "")
      ok(perms, "Permission name   \n------------------\nbin-perm          \n")

      const [users, userinfo, hosts, hostinfo, channels] = yield* binAll(
        ["list-users", "--prefix", "bin-"],
        ["userinfo", "bin-v"],
        ["list-hosts", "--channel", "bin-c", "--quiet"],
        ["hostinfo", "bin-h"],
        ["list-channels", "--simple", "--quiet"]
      )
      ok(users, "bin-v\n")
      ok(userinfo)
      expect(userinfo.stdout).toMatch(/^User name: bin-v\nUser ID: \d+\nkrb principals:\nPermissions:\n {2}bin-perm\nStatus: NORMAL\n/)
      ok(hosts)
      expect(hosts.stdout.trimEnd()).toBe("bin-h Y   N    0.0/3.0  x86_64           -")
      ok(hostinfo)
      expect(hostinfo.stdout).toContain("Name: bin-h\n")
      expect(hostinfo.stdout).toContain("\nCapacity: 3.0\n")
      expect(hostinfo.stdout).toContain("\nChannels: default bin-c\n")
      ok(channels)
      expect(channels.stdout.split("\n")).toContain("bin-c")

      const [revoke, leave, failed, badOption, unknown] = yield* binAll(
        [...admin, "revoke-permission", "bin-perm", "bin-v"],
        [...admin, "remove-host-from-channel", "bin-h", "bin-c"],
        [...admin, "add-user", "bin-v"],
        ["list-hosts", "--bogus"],
        ["frobnicate"]
      )
      ok(revoke, "")
      ok(leave, "")
      // Koji's exit codes: 1 for a fault (one line), 2 for an option error, 1 for an unknown command
      fault(failed, "GenericError", "user already exists: bin-v")
      expect(badOption.code).toBe(2)
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toMatch(/\[ERROR\] koji: Unknown command: frobnicate\n$/)
    }), 180_000)

  it.scoped("a method defined only in this test is callable and listed, with no CLI change", () =>
    Effect.gen(function*() {
      const dispatcher = yield* Dispatcher.make(ExtendedApi).pipe(
        Effect.provide(testOnlyHandlers),
        Effect.provide(yield* Hub.Handlers)
      )
      const options: Cli.RunOptions = { api: ExtendedApi, connect: inProcess(dispatcher) }
      const server = ["-s", "http://in-process/api", "--noauth"]
      const called = yield* runInProcess([...server, "call", "cliTestAdd", "2", "b=40", "label=total"], options)
      expect(called).toEqual({ code: 0, stdout: "{'label': 'total', 'total': 42}\n", stderr: "" })
      const defaults = yield* runInProcess([...server, "call", "--json-output", "cliTestAdd", "5"], options)
      expect(JSON.parse(defaults.stdout)).toEqual({ label: "sum", total: 6 })
      const wrong = yield* runInProcess([...server, "call", "cliTestAdd", "1", "2", "3"], options)
      expect(wrong.code).toBe(1)
      expect(wrong.stderr).toMatch(/ParameterError: cliTestAdd\(\) takes from 1 to 2 positional arguments but 3 were given\n$/)
      const listed = yield* runInProcess([...server, "list-api"], options)
      expect(listed.code).toBe(0)
      expect(listed.stdout).toContain("cliTestAdd(a, b=1, **kw)\n  description: Add two numbers (defined only in the CLI test)\n")
      const one = yield* runInProcess([...server, "list-api", "cliTestAdd"], options)
      expect(one.stdout).toBe("cliTestAdd(a, b=1, **kw)\ndescription: Add two numbers (defined only in the CLI test)\n")
      // the same CLI with the stock API does not know it
      const stock = yield* runInProcess([...server, "call", "cliTestAdd", "1"], { connect: inProcess(dispatcher) })
      expect(stock.code).toBe(1)
      expect(stock.stderr).toMatch(/GenericError: Invalid method: cliTestAdd\n$/)
    }), 60_000)
})
