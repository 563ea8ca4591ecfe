import { NodeContext } from "@effect/platform-node"
import { afterAll, describe, expect, it, layer } from "@effect/vitest"
import { ConfigProvider, type Duration, Effect } from "effect"
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import * as AllowList from "../src/scm/AllowList.js"
import * as Checkout from "../src/scm/Checkout.js"
import * as ScmUrl from "../src/scm/ScmUrl.js"

const parse = (url: string, options?: ScmUrl.ParseOptions) => Effect.runSync(ScmUrl.parse(url, options))

const refused = (url: string, options?: ScmUrl.ParseOptions): ScmUrl.ScmError => {
  const error = Effect.runSync(Effect.flip(ScmUrl.parse(url, options)))
  expect(error).toBeInstanceOf(ScmUrl.ScmError)
  expect(error.url).toBe(url)
  return error
}

describe("ScmUrl", () => {
  it("parses every scheme into Koji's fields", () => {
    const git = parse("git://pkgs.example.com/rpms/foo.git?sub/dir#0123abc")
    expect({ ...git }).toEqual({
      url: "git://pkgs.example.com/rpms/foo.git?sub/dir#0123abc",
      scheme: "git://",
      scmtype: "GIT",
      user: null,
      host: "pkgs.example.com",
      repository: "/rpms/foo.git",
      module: "sub/dir",
      revision: "0123abc",
      useCommon: true,
      sourceCmd: ["make", "sources"]
    })
    expect(ScmUrl.cloneUrl(git)).toBe("git://pkgs.example.com/rpms/foo.git")

    const https = parse("git+https://alice@src.example.com:8443/rpms/bar#master")
    expect([https.scheme, https.scmtype, https.user, https.host, https.repository, https.module]).toEqual([
      "git+https://", "GIT", "alice", "src.example.com:8443", "/rpms/bar", ""
    ])
    expect(ScmUrl.cloneUrl(https)).toBe("https://alice@src.example.com:8443/rpms/bar")

    const http = parse("git+http://10.0.0.1/r.git#v1.0")
    expect([http.scmtype, http.host, ScmUrl.cloneUrl(http)]).toEqual(["GIT", "10.0.0.1", "http://10.0.0.1/r.git"])

    const rsync = parse("git+rsync://mirror.example.com/git/r.git#main")
    expect([rsync.scmtype, ScmUrl.cloneUrl(rsync)]).toEqual(["GIT", "rsync://mirror.example.com/git/r.git"])

    const ssh = parse("git+ssh://builder@pkgs.example.com/rpms/foo.git#origin/f40")
    expect([ssh.scmtype, ssh.user, ssh.revision, ScmUrl.cloneUrl(ssh)]).toEqual([
      "GIT+SSH", "builder", "origin/f40", "ssh://builder@pkgs.example.com/rpms/foo.git"
    ])

    const file = parse("git+file:///srv/git/foo.git?pkg#HEAD~1")
    expect([file.scheme, file.scmtype, file.user, file.host, file.repository, file.module, file.revision, file.useCommon])
      .toEqual(["git+file://", "GIT", null, "", "/srv/git/foo.git", "pkg", "HEAD~1", false])
    expect(ScmUrl.cloneUrl(file)).toBe("file:///srv/git/foo.git")
    expect(ScmUrl.isLocal(file)).toBe(true)
    expect(ScmUrl.isLocal(git)).toBe(false)
  })

  it("normalises the path and the module as Koji does", () => {
    const scm = parse("git://host//a/./b/../c.git/?mod//x/#rev")
    expect([scm.repository, scm.module]).toEqual(["/a/c.git", "mod/x"])
    // `..` cannot climb above the root
    expect(parse("git+file:///srv/git/../../../etc/x.git#r").repository).toBe("/etc/x.git")
    expect(parse("git://host/repo?#rev").module).toBe("")
    expect(parse("git://@host/repo#rev").user).toBe(null)
  })

  it("tells SCM URLs from other sources", () => {
    expect(ScmUrl.isScmUrl("git+https://host/r#x")).toBe(true)
    expect(ScmUrl.isScmUrl("https://host/r#x")).toBe(false)
    expect(ScmUrl.isScmUrl("work/tasks/1/foo.src.rpm")).toBe(false)
  })

  it("gives Koji's policy data, source URL, clone layout", () => {
    const scm = parse("git+ssh://bob@pkgs.example.com/rpms/foo.git?pkg#master")
    expect(ScmUrl.policyData(scm)).toEqual({
      scm_url: "git+ssh://bob@pkgs.example.com/rpms/foo.git?pkg#master",
      scm_scheme: "git+ssh://",
      scm_user: "bob",
      scm_host: "pkgs.example.com",
      scm_repository: "/rpms/foo.git",
      scm_module: "pkg",
      scm_revision: "master",
      scm_type: "GIT+SSH"
    })
    const hash = "a".repeat(40)
    expect(ScmUrl.sourceUrl(scm, hash)).toBe(`git+ssh://bob@pkgs.example.com/rpms/foo.git?pkg#${hash}`)
    expect(ScmUrl.sourceUrl(parse("git+file:///srv/git/x#master"), hash)).toBe(`git+file:///srv/git/x#${hash}`)

    expect(ScmUrl.layout(scm)).toEqual({ checkoutPath: "foo", commonRepository: "/rpms/common.git" })
    expect(ScmUrl.commonCloneUrl(scm)).toBe("ssh://bob@pkgs.example.com/rpms/common.git")
    expect(ScmUrl.layout(parse("git://h/rpms/foo/.git#x"))).toEqual({ checkoutPath: "foo", commonRepository: "/rpms/common/.git" })
    expect(ScmUrl.layout(parse("git://h/rpms/foo#x"))).toEqual({ checkoutPath: "foo", commonRepository: "/rpms/common" })
    expect(ScmUrl.layout(parse("git://h/foo.git#x"))).toEqual({ checkoutPath: "foo", commonRepository: "/common.git" })
  })

  it("refuses a password unless allowed, and never keeps it in the source URL", () => {
    expect(refused("git+https://alice:secret@host/r.git#x").message).toBe("username:password format not supported: alice:secret")
    const scm = parse("git+https://alice:secret@host/r.git#x", { allowPasswordInUrl: true })
    expect(scm.user).toBe("alice:secret")
    expect(ScmUrl.cloneUrl(scm)).toBe("https://alice:secret@host/r.git")
    expect(ScmUrl.sourceUrl(scm, "b".repeat(40))).toBe(`git+https://alice@host/r.git#${"b".repeat(40)}`)
  })

  it("refuses Koji's malformed URLs", () => {
    expect(refused("git://host/repo").message).toContain("Could not find the fragment element")
    expect(refused("git://host/repo#").message).toContain("Could not find the fragment element")
    expect(refused("git://host/repo;params#rev").message).toContain("Params element params should be empty")
    expect(refused("git://host#rev").message).toContain("Could not find the path element")
    expect(refused("git://host/#rev").message).toContain("Could not find the path element")
    expect(refused("git:///repo#rev").message).toContain("Could not find the netloc element")
    expect(refused("git://a@b@host/repo#rev").message).toContain("Invalid username@hostname specified")
    expect(refused("https://host/repo#rev").message).toContain("Invalid scheme in scm url")
    expect(refused("svn://host/repo#rev").message).toContain("Invalid scheme in scm url")
    expect(refused("").message).toContain("empty")
    expect(refused("git+file://host/srv/git/r.git#rev").message).toContain("has no host")
    expect(refused("git+file://user@/srv/git/r.git#rev").message).toContain("has no host")
  })

  it("refuses shell metacharacters and control characters anywhere", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["git://host/repo#master;rm -rf /", "whitespace or control character"],
      ["git://host/repo#master\nfoo", "whitespace or control character"],
      ["git://host/re\u0000po#master", "whitespace or control character"],
      ["git://host/repo#a\u200bb", "whitespace or control character"],
      ["git://host/repo#master;id", "shell metacharacter \";\" in the revision"],
      ["git://host/repo#$(id)", "shell metacharacter \"$\" in the revision"],
      ["git://host/repo#a|b", "shell metacharacter \"|\""],
      ["git://host/repo#a&b", "shell metacharacter \"&\""],
      ["git://host/repo#`id`", "shell metacharacter \"`\""],
      ["git://host/repo#a>b", "shell metacharacter \">\""],
      ["git://host/repo#a#b", "shell metacharacter \"#\""],
      ["git://ho$t/repo#master", "shell metacharacter \"$\" in the host"],
      ["git://host/re'po#master", "shell metacharacter \"'\" in the path"],
      ["git://host/repo?a\\b#master", "shell metacharacter \"\\\\\" in the module"],
      ["git://host/repo?a*#master", "shell metacharacter \"*\" in the module"],
      ["git://host/repo?x?y#master", "shell metacharacter \"?\" in the module"]
    ]
    for (const [url, message] of cases) expect(refused(url).message, url).toContain(message)
  })

  it("refuses option injection, path traversal and odd revisions", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["git+ssh://--upload-pack=touch/repo.git#master", "the host may not start with \"-\""],
      ["git+ssh://-oProxyCommand=x/repo.git#master", "the host may not start with \"-\""],
      ["git+ssh://-oProxyCommand=x@host/repo.git#master", "the user may not start with \"-\""],
      ["git://host/--upload-pack=touch#master", "a repository path part may not start with \"-\""],
      ["git+file:///srv/--upload-pack=x/r.git#master", "a repository path part may not start with \"-\""],
      ["git://host/repo#-n", "the revision may not start with \"-\""],
      ["git://host/repo#--upload-pack=touch", "the revision may not start with \"-\""],
      ["git://host/repo#a..b", "the revision may not contain \"..\""],
      ["git://host/repo#HEAD:secret", "invalid revision"],
      ["git://host/repo?../..#master", "the module may not leave the repository"],
      ["git://host/repo?sub/../../x#master", "the module may not leave the repository"],
      ["git://host/repo?/etc#master", "the module must be a relative path"],
      ["git+file:///srv/git/%2e%2e/%2e%2e/etc/x.git#master", "invalid repository path part \"%2e%2e\""],
      ["git://host/repo?%2e%2e/x#master", "invalid module path part"],
      ["git://host:port/repo#master", "invalid host"],
      ["git://hôst/repo#master", "invalid host"]
    ]
    for (const [url, message] of cases) expect(refused(url).message, url).toContain(message)
  })
})

describe("AllowList", () => {
  const check = (text: string, url: string) => Effect.runSync(Effect.either(AllowList.check(AllowList.parse(text), parse(url))))
  const allowed = (text: string, url: string) => {
    const result = check(text, url)
    if (result._tag === "Left") throw new Error(`${url} denied by ${text}: ${result.left.message}`)
    return result.right
  }
  const denied = (text: string, url: string) => {
    const result = check(text, url)
    if (result._tag === "Right") throw new Error(`${url} allowed by ${text}`)
    expect(result.left).toBeInstanceOf(ScmUrl.ScmError)
    expect(result.left.url).toBe(url)
    return result.left.message
  }

  it("matches host and repository globs, first match wins, no match denies", () => {
    expect(allowed("pkgs.example.com:/rpms/*", "git://pkgs.example.com/rpms/foo.git#x"))
      .toEqual({ useCommon: true, sourceCmd: ["make", "sources"] })
    // fnmatch: `*` also crosses `/`
    allowed("pkgs.example.com:/rpms/*", "git://pkgs.example.com/rpms/a/b.git#x")
    allowed("*.example.com:/rpms/?oo.git", "git+https://src.example.com/rpms/foo.git#x")
    allowed("[ab]host:/r/[!x]*", "git://bhost/r/yes#x")
    denied("[ab]host:/r/[!x]*", "git://bhost/r/xno#x")
    denied("[ab]host:/r/*", "git://chost/r/foo#x")
    expect(denied("pkgs.example.com:/rpms/*", "git://evil.example.com/rpms/foo.git#x"))
      .toBe("evil.example.com:/rpms/foo.git is not in the list of allowed SCMs (git://evil.example.com/rpms/foo.git#x)")
    // globs are case-sensitive, as Python's fnmatch on Linux
    denied("pkgs.example.com:/rpms/*", "git://PKGS.example.com/rpms/foo.git#x")
    denied("", "git://pkgs.example.com/rpms/foo.git#x")
    // the host includes its port; an entry cannot name one (`:` separates fields), a glob can
    denied("pkgs.example.com:/rpms/*", "git://pkgs.example.com:9418/rpms/foo.git#x")
    allowed("pkgs.example.com*:/rpms/*", "git://pkgs.example.com:9418/rpms/foo.git#x")
  })

  it("denies with `!` entries, in order", () => {
    const list = "!pkgs.example.com:/rpms/secret* pkgs.example.com:/rpms/*"
    denied(list, "git://pkgs.example.com/rpms/secret-sauce.git#x")
    allowed(list, "git://pkgs.example.com/rpms/public.git#x")
    // an allow before the deny wins
    allowed("pkgs.example.com:/rpms/* !pkgs.example.com:/rpms/secret*", "git://pkgs.example.com/rpms/secret.git#x")
  })

  it("parses use_common and source_cmd", () => {
    const url = "git://h/r/foo.git#x"
    for (const off of ["no", "off", "false", "0", "OFF", "No"]) {
      expect(allowed(`h:/r/*:${off}`, url).useCommon, off).toBe(false)
    }
    expect(allowed("h:/r/*:yes", url)).toEqual({ useCommon: true, sourceCmd: ["make", "sources"] })
    expect(allowed("h:/r/*:maybe", url).useCommon).toBe(true)
    expect(allowed("h:/r/*:no:fedpkg,sources", url)).toEqual({ useCommon: false, sourceCmd: ["fedpkg", "sources"] })
    expect(allowed("h:/r/*::", url)).toEqual({ useCommon: true, sourceCmd: null })
    expect(allowed("h:/r/*:off:", url)).toEqual({ useCommon: false, sourceCmd: null })
    // the first matching entry gives the options
    expect(allowed("h:/r/foo*:no:a,b h:/r/*:yes:c", url)).toEqual({ useCommon: false, sourceCmd: ["a", "b"] })
    // applied to the URL
    const applied = Effect.runSync(AllowList.apply(AllowList.parse("h:/r/*:no:fedpkg,sources"), parse(url)))
    expect([applied.useCommon, applied.sourceCmd, applied.url]).toEqual([false, ["fedpkg", "sources"], url])
  })

  it("skips malformed entries, as Koji does", () => {
    const list = AllowList.parse("  justahost\n:relative/* h::  h:/ok/*\t")
    expect(list.entries.map((e) => e.text)).toEqual(["h:/ok/*"])
    expect(list.ignored.map((i) => i.text)).toEqual(["justahost", ":relative/*", "h::"])
  })

  it("lets git+file URLs through only where an entry names their path", () => {
    const url = "git+file:///srv/git/foo.git#master"
    denied("*:*", url)
    denied("*:/srv/git/*", url)
    denied("localhost:/srv/git/*", url)
    denied("*:* :/srv/other/*", url)
    expect(allowed("*:* :/srv/git/*", url)).toEqual({ useCommon: false, sourceCmd: ["make", "sources"] })
    expect(allowed(":/srv/git/*:yes:", url)).toEqual({ useCommon: true, sourceCmd: null })
    expect(allowed(":/srv/git/*:no", url).useCommon).toBe(false)
    // outside the allowed root, also after `..`
    denied(":/srv/git/*", "git+file:///etc/foo.git#master")
    denied(":/srv/git/*", "git+file:///srv/git/../../etc/foo.git#master")
    // the first match decides
    allowed(":/srv/git/* !:/srv/git/private/*", "git+file:///srv/git/private/x.git#master")
    denied("!:/srv/git/private/* :/srv/git/*", "git+file:///srv/git/private/x.git#master")
    // and a local entry does not cover network URLs of the same path
    denied(":/srv/git/*", "git://host/srv/git/foo.git#master")
  })

  it("reads KOJI_ALLOWED_SCMS, empty when unset", () =>
    Effect.gen(function*() {
      const list = yield* AllowList.config.pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["KOJI_ALLOWED_SCMS", "h:/r/*:no !x:* :/srv/git/*"]])))
      )
      expect(list.entries.map((e) => [e.deny, e.host, e.repository, e.useCommon])).toEqual([
        [false, "h", "/r/*", "no"],
        [true, "x", "*", undefined],
        [false, "", "/srv/git/*", undefined]
      ])
      const unset = yield* AllowList.config.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
      expect(unset).toEqual(AllowList.empty)
    }).pipe(Effect.runPromise))

  it("parses the build_from_scm policy's action", () => {
    expect(AllowList.fromPolicyAction("allow")).toEqual({ _tag: "Allow", useCommon: false, sourceCmd: undefined })
    expect(AllowList.fromPolicyAction("allow use_common")).toEqual({ _tag: "Allow", useCommon: true, sourceCmd: undefined })
    expect(AllowList.fromPolicyAction("allow fedpkg sources")).toEqual({ _tag: "Allow", useCommon: false, sourceCmd: ["fedpkg", "sources"] })
    expect(AllowList.fromPolicyAction("allow use_common make sources"))
      .toEqual({ _tag: "Allow", useCommon: true, sourceCmd: ["make", "sources"] })
    expect(AllowList.fromPolicyAction("allow none")).toEqual({ _tag: "Allow", useCommon: false, sourceCmd: null })
    expect(AllowList.fromPolicyAction("ALLOWED")._tag).toBe("Allow")
    expect(AllowList.fromPolicyAction("yes")._tag).toBe("Allow")
    expect(AllowList.fromPolicyAction("deny not from this host"))
      .toEqual({ _tag: "Deny", reason: "not from this host" })
    expect(AllowList.fromPolicyAction("deny")).toEqual({ _tag: "Deny", reason: null })
    expect(AllowList.fromPolicyAction(null)).toEqual({ _tag: "Deny", reason: null })
    expect(AllowList.fromPolicyAction("")).toEqual({ _tag: "Deny", reason: null })

    const scm = parse("git://h/r.git#x")
    const kept = Effect.runSync(AllowList.applyPolicyAction(scm, "allow"))
    expect([kept.useCommon, kept.sourceCmd]).toEqual([false, ["make", "sources"]])
    const none = Effect.runSync(AllowList.applyPolicyAction(scm, "allow use_common none"))
    expect([none.useCommon, none.sourceCmd]).toEqual([true, null])
    const error = Effect.runSync(Effect.flip(AllowList.applyPolicyAction(scm, "deny not here")))
    expect(error.message).toBe("SCM: h:/r.git is not allowed, reason: not here")
    expect(Effect.runSync(Effect.flip(AllowList.applyPolicyAction(scm, undefined))).message)
      .toBe("SCM: h:/r.git is not allowed, reason: None")
  })
})

// ---------------------------------------------------------------------------------------------
// real checkouts from real repositories

const root = Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-scm-test-"))
afterAll(() => Fs.rmSync(root, { recursive: true, force: true }))
const gitEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  HOME: root,
  GIT_AUTHOR_NAME: "Koji Test",
  GIT_AUTHOR_EMAIL: "koji@example.com",
  GIT_COMMITTER_NAME: "Koji Test",
  GIT_COMMITTER_EMAIL: "koji@example.com"
}
const sh = (cwd: string, ...args: Array<string>) =>
  execFileSync("git", ["-c", "init.defaultBranch=master", ...args], { cwd, env: gitEnv, encoding: "utf8" }).trim()

// /srv/git/hello.git (two commits, tag v1.0 on the first) and /srv/git/common.git
const srv = Path.join(root, "srv", "git")
const work = Path.join(root, "work")
Fs.mkdirSync(srv, { recursive: true })
Fs.mkdirSync(work)
sh(work, "init", "-q")
Fs.writeFileSync(Path.join(work, "hello.spec"), "Name: hello\nVersion: 1\n")
Fs.mkdirSync(Path.join(work, "sub", "dir"), { recursive: true })
Fs.writeFileSync(Path.join(work, "sub", "dir", "data.txt"), "data\n")
sh(work, "add", "-A")
sh(work, "commit", "-q", "-m", "first")
const first = sh(work, "rev-parse", "HEAD")
sh(work, "tag", "-a", "v1.0", "-m", "release 1.0")
Fs.writeFileSync(Path.join(work, "hello.spec"), "Name: hello\nVersion: 2\n")
Fs.symlinkSync(Os.tmpdir(), Path.join(work, "escape"))
sh(work, "add", "-A")
sh(work, "commit", "-q", "-m", "second")
const second = sh(work, "rev-parse", "HEAD")
sh(srv, "clone", "-q", "--bare", work, "hello.git")
const commonWork = Path.join(root, "common-work")
Fs.mkdirSync(commonWork)
sh(commonWork, "init", "-q")
Fs.writeFileSync(Path.join(commonWork, "Makefile.common"), "# common\n")
sh(commonWork, "add", "-A")
sh(commonWork, "commit", "-q", "-m", "common")
sh(srv, "clone", "-q", "--bare", commonWork, "common.git")

const helloUrl = (rev: string, module = "") => `git+file://${srv}/hello.git${module === "" ? "" : `?${module}`}#${rev}`

let dirs = 0
const freshDir = () => Path.join(root, "checkouts", String(++dirs))

// check a URL out, collecting checkout.log
const checkout = (url: string, options: { readonly allow?: string; readonly timeout?: Duration.DurationInput } = {}) =>
  Effect.gen(function*() {
    const scm = yield* ScmUrl.parse(url).pipe(
      Effect.flatMap((scm) => AllowList.apply(AllowList.parse(options.allow ?? `:${srv}/*`), scm))
    )
    const chunks: Array<string> = []
    const result = yield* Checkout.checkout(scm, freshDir(), {
      timeout: options.timeout ?? "60 seconds",
      log: (chunk) => Effect.sync(() => chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8")))
    }).pipe(Effect.either)
    return { result, log: chunks.join("") }
  })

const spec = (dir: string) => Fs.readFileSync(Path.join(dir, "hello.spec"), "utf8")

layer(NodeContext.layer, { excludeTestServices: true, timeout: "120 seconds" })("Checkout", (it) => {
  it.effect("checks out a full hash, as Koji runs git", () =>
    Effect.gen(function*() {
      const { result, log } = yield* checkout(helloUrl(first))
      if (result._tag === "Left") throw new Error(`${result.left.message}\n${log}`)
      const r = result.right
      expect(r.commit).toBe(first)
      expect(r.checkoutDir.endsWith("/hello")).toBe(true)
      expect(r.sourceDir).toBe(r.checkoutDir)
      expect(spec(r.sourceDir)).toBe("Name: hello\nVersion: 1\n")
      expect(r.source).toBe(`git+file://${srv}/hello.git#${first}`)
      expect(r.url).toBe(helloUrl(first))
      expect(log).toContain(`$ git -c protocol.file.allow=always clone -n -- file://${srv}/hello.git ${r.checkoutDir}\n`)
      expect(log).toContain(`$ git -c protocol.file.allow=always fetch -- origin ${first}:KOJI_FETCH_HEAD\n`)
      expect(log).toContain("$ git -c protocol.file.allow=always reset --hard KOJI_FETCH_HEAD --\n")
      expect(log).toContain("HEAD is now at")
      // no common checkout for git+file unless the allow-list asks
      expect(Fs.existsSync(Path.join(Path.dirname(r.checkoutDir), "common"))).toBe(false)
    }))

  it.effect("checks out a short hash, a tag, a branch and origin/branch", () =>
    Effect.gen(function*() {
      const short = yield* checkout(helloUrl(first.slice(0, 8)))
      if (short.result._tag === "Left") throw new Error(short.log)
      expect(short.result.right.commit).toBe(first)
      expect(short.result.right.source).toBe(`git+file://${srv}/hello.git#${first}`)
      expect(short.log).toContain(`reset --hard ${first.slice(0, 8)} --`)

      const tag = yield* checkout(helloUrl("v1.0"))
      if (tag.result._tag === "Left") throw new Error(tag.log)
      expect(tag.result.right.commit).toBe(first)
      expect(tag.log).toContain("fetch -- origin v1.0:KOJI_FETCH_HEAD")
      // git will not store an annotated tag in a branch: Koji's fallback resets to the tag
      expect(tag.log).toContain("reset --hard v1.0 --")
      expect(spec(tag.result.right.sourceDir)).toContain("Version: 1")

      const branch = yield* checkout(helloUrl("master"))
      if (branch.result._tag === "Left") throw new Error(branch.log)
      expect(branch.result.right.commit).toBe(second)
      expect(branch.log).toContain("fetch -- origin master:KOJI_FETCH_HEAD")
      expect(branch.log).toContain("reset --hard KOJI_FETCH_HEAD --")
      expect(spec(branch.result.right.sourceDir)).toContain("Version: 2")

      const origin = yield* checkout(helloUrl("origin/master"))
      if (origin.result._tag === "Left") throw new Error(origin.log)
      expect(origin.result.right.commit).toBe(second)
      expect(origin.log).toContain("fetch -- origin master:KOJI_FETCH_HEAD")
    }))

  it.effect("checks out a module, with Koji's common checkout when asked", () =>
    Effect.gen(function*() {
      const { result, log } = yield* checkout(helloUrl("master", "sub/dir"), { allow: `:${srv}/*:yes` })
      if (result._tag === "Left") throw new Error(`${result.left.message}\n${log}`)
      const r = result.right
      expect(r.sourceDir).toBe(Path.join(r.checkoutDir, "sub", "dir"))
      expect(Fs.readFileSync(Path.join(r.sourceDir, "data.txt"), "utf8")).toBe("data\n")
      expect(r.source).toBe(`git+file://${srv}/hello.git?sub/dir#${second}`)
      const commonDir = Path.join(Path.dirname(r.checkoutDir), "common")
      expect(log).toContain(`$ git -c protocol.file.allow=always clone -- file://${srv}/common.git ${commonDir}\n`)
      expect(Fs.readFileSync(Path.join(commonDir, "Makefile.common"), "utf8")).toBe("# common\n")
      // <source dir>/../common links to it
      expect(Fs.readlinkSync(Path.join(r.sourceDir, "..", "common"))).toBe("../../common")
      expect(Fs.readFileSync(Path.join(r.sourceDir, "..", "common", "Makefile.common"), "utf8")).toBe("# common\n")
    }))

  it.effect("fails clearly: missing revision, missing module, a module leaving the checkout, a missing repository", () =>
    Effect.gen(function*() {
      const missing = yield* checkout(helloUrl("no-such-branch"))
      if (missing.result._tag === "Right") throw new Error("checked out a missing revision")
      expect(missing.result.left.message).toBe(`revision no-such-branch not found in file://${srv}/hello.git`)
      expect(missing.result.left.url).toBe(helloUrl("no-such-branch"))
      expect(missing.log).toContain("couldn't find remote ref no-such-branch")

      const module = yield* checkout(helloUrl("master", "nowhere"))
      if (module.result._tag === "Right") throw new Error("checked out a missing module")
      expect(module.result.left.message).toBe(`module nowhere not found in ${helloUrl("master", "nowhere")}`)

      const escape = yield* checkout(helloUrl("master", "escape"))
      if (escape.result._tag === "Right") throw new Error("followed a symlink out of the checkout")
      expect(escape.result.left.message).toContain("module escape leaves the checkout")

      const repo = yield* checkout(`git+file://${srv}/nothing.git#master`)
      if (repo.result._tag === "Right") throw new Error("cloned a missing repository")
      expect(repo.result.left.message).toContain(`Error running GIT command "git -c protocol.file.allow=always clone -n -- file://${srv}/nothing.git`)
      expect(repo.log).toContain("does not appear to be a git repository")

      // allow-list and policy refusals name the URL
      const outside = yield* checkout(helloUrl("master"), { allow: ":/srv/git/*" }).pipe(Effect.flip)
      expect(outside.message).toContain("is not in the list of allowed SCMs")

      // git+ssh without a user: Koji's error
      const ssh = yield* Checkout.checkout(Effect.runSync(ScmUrl.parse("git+ssh://host/r.git#x")), freshDir(), {
        timeout: "5 seconds",
        log: () => Effect.void
      }).pipe(Effect.flip)
      expect(ssh.message).toBe("No user specified for repository access scheme: git+ssh://")
    }))

  it.scoped("stops at the time limit and kills git", () =>
    Effect.gen(function*() {
      // an HTTP server that accepts and never answers: git waits forever
      const sockets: Array<Net.Socket> = []
      const closed: Array<Promise<void>> = []
      const server = Net.createServer((socket) => {
        sockets.push(socket)
        socket.resume()
        closed.push(new Promise((resolve) => socket.on("close", () => resolve())))
      })
      yield* Effect.acquireRelease(
        Effect.async<void>((resume) => void server.listen(0, "127.0.0.1", () => resume(Effect.void))),
        () => Effect.sync(() => {
          for (const s of sockets) s.destroy()
          server.close()
        })
      )
      const port = (server.address() as Net.AddressInfo).port
      const url = `git+http://127.0.0.1:${port}/hello.git#master`
      const started = Date.now()
      const { result, log } = yield* checkout(url, { allow: "127.0.0.1*:/*", timeout: "1500 millis" })
      if (result._tag === "Right") throw new Error("checked out from a silent server")
      expect(result.left.message).toBe(`checkout of ${url} timed out after 1s 500ms`)
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(log).toContain(`$ git clone -n -- http://127.0.0.1:${port}/hello.git`)
      // git's helper (git-remote-http, in git's process group) held the connection: it is gone
      expect(sockets.length).toBeGreaterThan(0)
      yield* Effect.promise(() => Promise.all(closed)).pipe(Effect.timeout("5 seconds"))
    }), { timeout: 30_000 })
})
