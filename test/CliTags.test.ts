/**
 * The tag, inheritance, package-list and target commands of the `koji-ts` CLI as a
 * user runs them, against a hub started here over HTTP (PGlite): Koji's output
 * formats, `--json`, and Koji's errors and exit codes. Most runs go through the
 * CLI's entry in process (fast); one runs the binary as a subprocess.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { adminProfile, harness, HubUrl, hubLayer, ok, profile, type Result } from "./utils/CliHarness.js"

const { bin, koji, writeConfigs: writeFiles } = harness("koji-clitags")

const writeConfigs = (url: string) =>
  writeFiles({
    system: `[koji]\nserver = ${url}/api\n`,
    user: [adminProfile(url), profile("dave", { server: `${url}/api`, user: "dave", password: "dave-pw" })].join("\n")
  })

const admin = (...args: ReadonlyArray<string>) => koji("-p", "admin", ...args)

// the fault line anywhere in stderr (looser than the harness's `fault`)
const fault = (result: Result, cls: string, message: string) => {
  expect(result.code).toBe(1)
  expect(result.stderr).toContain(`[ERROR] koji: ${cls}: ${message}`)
}

const idOf = (listing: string, name: string) => Number(new RegExp(`^${name} \\[(\\d+)\\]$`, "m").exec(listing)?.[1])

layer(hubLayer(), { timeout: "180 seconds", excludeTestServices: true })("CLI tag commands", (it) => {
  it.scoped("tags: add, edit, list, info, lock/unlock, remove", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      ok(yield* admin("add-tag", "cli-base", "--arches", "x86_64,aarch64", "-x", "mock.new_chroot=0"))
      ok(yield* admin("add-tag", "cli-build", "--parent", "cli-base", "--extra", "rpm.macro.dist=.cli"))
      ok(yield* admin("add-tag", "cli-other"))
      const denied = yield* admin("add-tag", "bad name")
      fault(denied, "GenericError", "Name bad name does not match RegexNameInternal value")
      const anon = yield* koji("add-tag", "x")
      expect(anon.code).not.toBe(0)

      const ids = yield* admin("list-tags", "--show-id")
      ok(ids)
      const base = idOf(ids.stdout, "cli-base")
      const build = idOf(ids.stdout, "cli-build")
      expect(ids.stdout).toBe(`cli-base [${base}]\ncli-build [${build}]\ncli-other [${idOf(ids.stdout, "cli-other")}]\n`)

      // edit-tag: JSON extra, a blocked key, a lock, a permission
      ok(yield* admin("edit-tag", "cli-build", "-x", "mock.yum={\"x\": [1, 2]}", "-b", "mock.new_chroot", "--lock", "--perm", "admin"))
      ok(yield* admin("list-tags", "--verbose", "cli-b*"), `cli-base\ncli-build [LOCKED] [admin perm required]\n`)
      ok(yield* admin("list-tags", "--unlocked"), "cli-base\ncli-other\n")
      const asJson = yield* admin("list-tags", "--json", "cli-build")
      ok(asJson)
      expect(JSON.parse(asJson.stdout)).toEqual([expect.objectContaining({ name: "cli-build", locked: true, perm: "admin" })])

      const info = yield* koji("taginfo", "cli-build")
      ok(info, [
        `Tag: cli-build [${build}]`,
        "Arches: ",
        "Groups: ",
        "LOCKED",
        "Required permission: 'admin'",
        "Tag options:",
        "  mock.yum : {'x': [1, 2]}",
        "  rpm.macro.dist : '.cli'",
        "Current repo: no active repo",
        "Inheritance:",
        `  0    .... cli-base [${base}]`,
        ""
      ].join("\n"))
      // the base's extra shows where it came from when inherited
      ok(yield* admin("edit-tag", "cli-build", "-r", "mock.yum"))
      ok(yield* admin("edit-tag", "cli-base", "-x", "distrepo.cancel_others=True"))
      const inherited = yield* koji("taginfo", "cli-build")
      expect(inherited.stdout).toContain(`${"  distrepo.cancel_others : True".padEnd(30)} [cli-base]\n`)
      expect(inherited.stdout).not.toContain("mock.new_chroot")
      const infoJson = yield* koji("taginfo", "--json", "cli-base")
      ok(infoJson)
      expect(JSON.parse(infoJson.stdout)[0]).toMatchObject({ name: "cli-base", arches: "x86_64 aarch64", extra: { "mock.new_chroot": 0 } })
      fault(yield* koji("taginfo", "nope"), "GenericError", "No such tagInfo: 'nope'")

      ok(yield* admin("unlock-tag", "--test", "cli-build"), "Tag cli-build: skipping changes: {'locked': False, 'perm': None}\n")
      ok(yield* admin("unlock-tag", "cli-build"), "")
      ok(yield* admin("unlock-tag", "cli-build"), "Tag cli-build: not locked\n")
      ok(yield* admin("lock-tag", "--glob", "cli-o*", "--master"), "")
      ok(yield* admin("lock-tag", "--master", "cli-other"), "Tag cli-other: master lock already set\n")
      ok(yield* admin("lock-tag", "-n", "cli-base"), "Would have set permission requirement admin for tag cli-base\n")
      ok(yield* admin("lock-tag", "--glob", "zzz*"), "No tags matched\n")

      ok(yield* admin("remove-tag", "cli-other"))
      const gone = yield* admin("remove-tag", "cli-other")
      expect(gone).toEqual({ code: 1, stdout: "", stderr: "No such tag: cli-other\n" })
    }))

  it.scoped("inheritance: add, edit, list as a tree, remove; refusals", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      for (const name of ["in-child", "in-a", "in-b", "in-top"]) ok(yield* admin("add-tag", name))
      ok(yield* admin("add-tag-inheritance", "in-child", "in-a"))
      ok(yield* admin("add-tag-inheritance", "in-a", "in-top"))
      ok(yield* admin("add-tag-inheritance", "in-child", "in-b", "--priority", "10", "--maxdepth", "2", "--pkg-filter", "^lib", "--intransitive"))
      const again = yield* admin("add-tag-inheritance", "in-child", "in-a")
      expect(again.code).toBe(1)
      expect(again.stderr).toContain("Please use --force if this is what you really want to do.")
      const samePriority = yield* admin("add-tag-inheritance", "in-child", "in-top", "--priority", "10")
      expect(samePriority.stderr).toBe(
        "Error: There is already an active inheritance with that priority on in-child, please specify a different priority with --priority.\n"
      )
      const ids = (yield* admin("list-tags", "--show-id", "in-*")).stdout
      const id = (n: string) => idOf(ids, n)
      const tree = yield* koji("list-tag-inheritance", "in-child")
      ok(tree, [
        `     in-child (${id("in-child")})`,
        `....  ├─in-a (${id("in-a")})`,
        `....  │  └─in-top (${id("in-top")})`,
        `MFI.  └─in-b (${id("in-b")})`,
        ""
      ].join("\n"))
      ok(yield* koji("list-tag-inheritance", "--reverse", "in-top"), [
        `     in-top (${id("in-top")})`,
        `....  └─in-a (${id("in-a")})`,
        `....     └─in-child (${id("in-child")})`,
        ""
      ].join("\n"))
      const asJson = yield* koji("list-tag-inheritance", "--json", "in-child")
      ok(asJson)
      expect(JSON.parse(asJson.stdout).map((l: { name: string }) => l.name)).toEqual(["in-a", "in-top", "in-b"])
      const stop = yield* koji("list-tag-inheritance", "--stop", "x", "in-child")
      expect(stop.code).toBe(2)
      expect(stop.stderr).toContain("--stop option has been removed in 1.26")

      ok(yield* admin("edit-tag-inheritance", "in-child", "in-b", "--maxdepth", "none", "--priority", "20"))
      const info = yield* koji("taginfo", "in-child")
      expect(info.stdout).toContain(`Inheritance:\n  0    .... in-a [${id("in-a")}]\n  20   .FI. in-b [${id("in-b")}]\n    package filter: ^lib\n`)
      ok(yield* admin("remove-tag-inheritance", "in-child", "in-b"))
      const missing = yield* admin("remove-tag-inheritance", "in-child", "in-b")
      expect(missing).toEqual({ code: 1, stdout: "", stderr: "No inheritance link found to remove.  Please check your arguments\n" })
      // a loop is refused by the hub
      fault(yield* admin("add-tag-inheritance", "in-top", "in-child"), "GenericError", "Inheritance loop")
    }))

  it.scoped("package lists: add, list, block, unblock, owner, arches, remove", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      ok(yield* admin("add-tag", "pk-base"))
      ok(yield* admin("add-tag", "pk-child", "--parent", "pk-base"))
      ok(yield* admin("add-user", "dave"))
      const added = yield* admin("add-pkg", "--owner", "admin", "pk-base", "bash", "zsh")
      ok(added, "Adding 2 packages to tag pk-base\n")
      ok(yield* admin("add-pkg", "--owner", "dave", "--extra-arches", "ppc64le,s390x", "pk-base", "bash", "fish"), [
        "Package bash already exists in tag pk-base",
        "Adding 1 packages to tag pk-base",
        ""
      ].join("\n"))
      const noOwner = yield* admin("add-pkg", "pk-base", "x")
      expect(noOwner.code).toBe(2)
      expect(noOwner.stderr).toContain("Please specify an owner for the package(s)")
      expect(yield* admin("add-pkg", "--owner", "nobody", "pk-base", "x")).toEqual({ code: 1, stdout: "", stderr: "No such user: nobody\n" })

      const header = "Package                 Tag                     Extra Arches     Owner          \n" +
        "----------------------- ----------------------- ---------------- ---------------\n"
      const row = (p: string, t: string, a: string, o: string) =>
        `${p.padEnd(23)} ${t.padEnd(23)} ${a.padEnd(16)} ${o.padEnd(15)}`
      // in the hub's order (inherited entries in package order)
      ok(yield* koji("list-pkgs", "--tag", "pk-child"), header + [
        row("bash", "pk-base", "", "admin"),
        row("zsh", "pk-base", "", "admin"),
        row("fish", "pk-base", "ppc64le s390x", "dave"),
        ""
      ].join("\n"))
      ok(yield* admin("block-pkg", "pk-child", "zsh"))
      ok(yield* koji("-q", "list-pkgs", "--tag", "pk-child"), [
        row("bash", "pk-base", "", "admin"),
        row("fish", "pk-base", "ppc64le s390x", "dave"),
        ""
      ].join("\n"))
      const blocked = yield* koji("-q", "list-pkgs", "--tag", "pk-child", "--show-blocked")
      ok(blocked)
      expect(blocked.stdout).toContain(`${row("zsh", "pk-child", "", "admin")} [BLOCKED]\n`)
      const notThere = yield* admin("block-pkg", "pk-child", "nope")
      expect(notThere).toEqual({ code: 1, stdout: "", stderr: "Package nope doesn't exist in tag pk-child\n" })
      ok(yield* admin("unblock-pkg", "pk-child", "zsh"))
      fault(yield* admin("unblock-pkg", "pk-child", "zsh"), "GenericError", "package zsh NOT blocked in tag pk-child")
      ok(yield* admin("set-pkg-owner", "dave", "pk-base", "bash"))
      ok(yield* admin("set-pkg-arches", "aarch64", "pk-base", "bash"))
      const owned = yield* koji("-q", "list-pkgs", "--owner", "dave", "--json")
      ok(owned)
      expect(JSON.parse(owned.stdout).map((p: { package_name: string; extra_arches: string }) => [p.package_name, p.extra_arches]).sort())
        .toEqual([["bash", "aarch64"], ["fish", "ppc64le s390x"]])
      ok(yield* koji("-q", "list-pkgs"), "bash\nzsh\nfish\n")
      const notIn = yield* admin("remove-pkg", "pk-child", "bash")
      expect(notIn).toEqual({ code: 1, stdout: "", stderr: "Package bash is not in tag pk-child\n" })
      ok(yield* admin("remove-pkg", "pk-base", "fish"))
      expect(yield* koji("-q", "list-pkgs", "--tag", "pk-base", "--package", "fish"))
        .toEqual({ code: 1, stdout: "", stderr: "(no matching packages)\n" })
      // a user without admin or tag: the package_list policy
      ok(yield* admin("call", "editUser", "dave", "password=dave-pw"))
      fault(
        yield* koji("-p", "dave", "add-pkg", "--owner", "dave", "pk-base", "dash"),
        "ActionNotAllowed",
        "policy violation (package_list): Only admin/tag can do this via default policy"
      )
    }))

  it.scoped("targets: add, list, edit, remove; and the binary", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      ok(yield* admin("add-tag", "tg-build", "--arches", "x86_64"))
      ok(yield* admin("add-tag", "tg-dest"))
      ok(yield* admin("add-tag", "tg-noarch"))
      expect(yield* admin("add-target", "tg-x", "tg-noarch", "tg-dest")).toEqual({
        code: 1,
        stdout: "",
        stderr: "Build tag has no arches: tg-noarch\n"
      })
      expect((yield* admin("add-target", "tg-x", "tg-build", "nope")).stderr).toBe("No such destination tag: nope\n")
      ok(yield* admin("add-target", "tg-target", "tg-build", "tg-dest"))
      // the destination defaults to the target's name
      ok(yield* admin("add-target", "tg-dest", "tg-build"))
      const line = (a: string, b: string, c: string) => `${a.padEnd(30)} ${b.padEnd(30)} ${c.padEnd(30)}`
      ok(yield* koji("list-targets"), [
        line("Name", "Buildroot", "Destination"),
        "-".repeat(93),
        line("tg-dest", "tg-build", "tg-dest"),
        line("tg-target", "tg-build", "tg-dest"),
        ""
      ].join("\n"))
      ok(yield* admin("edit-target", "tg-target", "--rename", "tg-renamed", "--dest-tag", "tg-build"))
      ok(yield* koji("list-targets", "--quiet", "--name", "tg-renamed"), `${line("tg-renamed", "tg-build", "tg-build")}\n`)
      const asJson = yield* koji("list-targets", "--json", "--name", "tg-renamed")
      expect(JSON.parse(asJson.stdout)).toEqual([expect.objectContaining({ name: "tg-renamed", build_tag_name: "tg-build" })])
      const info = yield* koji("taginfo", "tg-build")
      expect(info.stdout).toContain([
        "Targets that build into this tag:",
        "  tg-renamed (tg-build, no active repo)",
        "This tag is a buildroot for one or more targets",
        "Current repo: no active repo",
        "Targets that build from this tag:",
        "  tg-renamed",
        "  tg-dest"
      ].join("\n"))
      ok(yield* admin("remove-target", "tg-renamed"))
      expect((yield* admin("remove-target", "tg-renamed")).stderr).toBe("No such build target: tg-renamed\n")
      const none = yield* koji("list-targets", "--name", "tg-renamed")
      expect(none.code).toBe(2)
      expect(none.stderr).toContain("No such build target: tg-renamed")

      // the binary, as a user runs it
      const fromBin = yield* bin("list-targets", "--quiet")
      ok(fromBin, `${line("tg-dest", "tg-build", "tg-dest")}\n`)
    }))
})
