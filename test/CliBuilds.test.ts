/**
 * The build, RPM and tagging commands of the `koji-ts` CLI against a hub over HTTP:
 * most in process through `Cli.run` (the binary's entry), one through the binary as
 * a subprocess; output and exit codes as Koji's CLI prints them.
 */
import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Builds } from "../src/hub/Builds.js"
import * as Builds_ from "../src/hub/Builds.js"
import { adminProfile, harness, HubUrl, hubLayer, ok, type Result } from "./utils/CliHarness.js"
import * as TestHub from "./utils/Hub.js"

// times print in local time, as Koji's do: make that UTC here
process.env.TZ = "UTC"

// the CLI in this process through the binary's entry (`koji`), and the binary as a subprocess (`bin`)
const { bin, koji, writeConfigs: writeFiles } = harness("koji-clib")

const writeConfigs = (url: string) =>
  writeFiles({
    system: `[koji]\nserver = ${url}/api\ntopdir = /srv/koji\n`,
    user: adminProfile(url, { topdir: "/srv/koji" })
  })

const usage = (result: Result, message: string) => {
  expect(result.code).toBe(2)
  expect(result.stderr).toContain(`error: ${message}`)
}

const pad = (s: string, n: number) => s.padEnd(n)
const line3 = (nvr: string, tag: string, owner: string) => `${pad(nvr, 40)}  ${pad(tag, 20)}  ${owner}`
const header3 = `${pad("Build", 40)}  ${pad("Tag", 20)}  Built by\n${"-".repeat(40)}  ${"-".repeat(20)}  ${"-".repeat(16)}\n`

layer(hubLayer(), { timeout: "180 seconds", excludeTestServices: true })("CliBuilds", (it) => {
  it.scoped("buildinfo, list-builds, latest-build, list-tagged, rpminfo, search, untag-build, list-history", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      const admin = yield* TestHub.admin
      const builds = yield* Effect.provide(Builds, Builds_.layer)
      // fixtures: base <- dest, bash and zsh listed on base
      yield* admin.createTag({ name: "base" })
      yield* admin.createTag({ name: "dest", parent: "base" })
      for (const pkg of ["bash", "zsh"]) yield* admin.packageListAdd({ taginfo: "base", pkginfo: pkg, owner: "admin" })
      const bashId = yield* builds.import({
        name: "bash",
        version: "5.2",
        release: "1",
        epoch: 1,
        source: "git://example.com/bash#abc",
        completionTime: 1_700_000_000,
        startTime: 1_700_000_000,
        rpms: [
          { name: "bash", version: "5.2", release: "1", epoch: 1, arch: "src", payloadhash: "aa", size: 10, buildtime: 1_700_000_000 },
          { name: "bash", version: "5.2", release: "1", epoch: 1, arch: "x86_64", payloadhash: "bb", size: 20, buildtime: 1_700_000_000 }
        ]
      }, 1)
      yield* admin.createEmptyBuild({ name: "bash", version: "5.3", release: "1", epoch: null })
      yield* admin.createEmptyBuild({ name: "zsh", version: "5.9", release: "2", epoch: null })
      yield* admin.tagBuildBypass({ tag: "base", build: "bash-5.3-1" })
      yield* admin.tagBuildBypass({ tag: "base", build: "bash-5.2-1" })
      yield* admin.tagBuildBypass({ tag: "dest", build: "zsh-5.9-2" })

      ok(
        yield* koji("buildinfo", "bash-5.2-1"),
        [
          `BUILD: bash-5.2-1 [${bashId}]`,
          "State: COMPLETE",
          "Built by: admin",
          "Source: git://example.com/bash#abc",
          "Volume: DEFAULT",
          "Task: none",
          "Finished: Tue, 14 Nov 2023 22:13:20 UTC",
          "Tags: base",
          "RPMs:",
          "/srv/koji/packages/bash/5.2/1/src/bash-5.2-1.src.rpm",
          "/srv/koji/packages/bash/5.2/1/x86_64/bash-5.2-1.x86_64.rpm",
          ""
        ].join("\n")
      )
      const missing = yield* koji("buildinfo", "nope-1-1", String(bashId))
      expect(missing.code).toBe(1)
      expect(missing.stderr).toBe("No such build: nope-1-1\n\n")
      expect(missing.stdout).toContain(`BUILD: bash-5.2-1 [${bashId}]`)
      const buildJson = yield* koji("buildinfo", "--json", "zsh-5.9-2")
      ok(buildJson)
      expect(JSON.parse(buildJson.stdout)[0]).toMatchObject({ nvr: "zsh-5.9-2", tags: ["dest"], rpms: [] })
      usage(yield* koji("buildinfo"), "Please specify a build")

      const listHeader = `${pad("Build", 55)}  ${pad("Built by", 16)}  State\n${"-".repeat(55)}  ${"-".repeat(16)}  ${"-".repeat(16)}\n`
      ok(
        yield* koji("list-builds", "--package", "bash"),
        `${listHeader}${pad("bash-5.2-1", 55)}  ${pad("admin", 16)}  COMPLETE\n${pad("bash-5.3-1", 55)}  ${pad("admin", 16)}  COMPLETE\n`
      )
      ok(yield* koji("list-builds", "--prefix", "zs", "--quiet"), `${pad("zsh-5.9-2", 55)}  ${pad("admin", 16)}  COMPLETE\n`)
      ok(yield* koji("list-builds", "--pattern", "bash-5.?-1", "--quiet", "-r"), `${pad("bash-5.3-1", 55)}  ${pad("admin", 16)}  COMPLETE\n${pad("bash-5.2-1", 55)}  ${pad("admin", 16)}  COMPLETE\n`)
      ok(yield* koji("list-builds", "--state", "DELETED", "--quiet"), "")
      usage(yield* koji("list-builds"), "Filter must be provided for list")
      usage(yield* koji("list-builds", "--package", "nope"), "No such package: nope")
      usage(yield* koji("list-builds", "--state", "BOGUS"), "Invalid state: BOGUS")

      // latest: the most recently tagged bash (5.2), not the highest NVR; zsh from dest itself
      ok(yield* koji("latest-build", "dest", "bash", "zsh"), `${header3}${line3("bash-5.2-1", "base", "admin")}\n${line3("zsh-5.9-2", "dest", "admin")}\n`)
      ok(yield* koji("latest-build", "--all", "--quiet", "dest"), `${line3("bash-5.2-1", "base", "admin")}\n${line3("zsh-5.9-2", "dest", "admin")}\n`)
      ok(yield* koji("latest-build", "--arch", "x86_64", "dest", "bash"), "bash-5.2-1.x86_64\n")
      ok(yield* koji("latest-build", "--arch", "x86_64", "--paths", "dest", "bash"), "/srv/koji/packages/bash/5.2/1/x86_64/bash-5.2-1.x86_64.rpm\n")
      usage(yield* koji("latest-build", "dest"), "A tag name and package name must be specified")
      const latestJson = yield* koji("latest-build", "--json", "dest", "bash")
      ok(latestJson)
      expect(JSON.parse(latestJson.stdout).map((b: { nvr: string }) => b.nvr)).toEqual(["bash-5.2-1"])

      ok(yield* koji("list-tagged", "base"), `${header3}${line3("bash-5.2-1", "base", "admin")}\n${line3("bash-5.3-1", "base", "admin")}\n`)
      ok(yield* koji("list-tagged", "--quiet", "--inherit", "--latest", "dest"), `${line3("bash-5.2-1", "base", "admin")}\n${line3("zsh-5.9-2", "dest", "admin")}\n`)
      ok(yield* koji("list-tagged", "--rpms", "base", "bash"), "bash-5.2-1.src\nbash-5.2-1.x86_64\n")
      ok(yield* koji("list-tagged", "--arch", "src", "base"), "bash-5.2-1.src\n")
      usage(yield* koji("list-tagged", "nope"), "No such tag: nope")

      ok(yield* koji("search", "build", "bash-5*"), "bash-5.2-1\nbash-5.3-1\n")
      ok(yield* koji("search", "-r", "package", "^z"), "zsh\n")
      ok(yield* koji("search", "--exact", "rpm", "bash-5.2-1.src.rpm"), "bash-5.2-1.src.rpm\n")
      usage(yield* koji("search", "bogus", "x"), "No such search type: bogus")

      const rpm = yield* koji("rpminfo", "bash-5.2-1.x86_64")
      ok(rpm)
      expect(rpm.stdout.split("\n").slice(0, 9)).toEqual([
        expect.stringMatching(/^RPM: 1:bash-5\.2-1\.x86_64 \[\d+\]$/),
        `Build: bash-5.2-1 [${bashId}]`,
        "RPM Path: /srv/koji/packages/bash/5.2/1/x86_64/bash-5.2-1.x86_64.rpm",
        expect.stringMatching(/^SRPM: 1:bash-5\.2-1 \[\d+\]$/),
        "SRPM Path: /srv/koji/packages/bash/5.2/1/src/bash-5.2-1.src.rpm",
        "Built: Tue, 14 Nov 2023 22:13:20 UTC",
        "SIGMD5: bb",
        "Size: 20",
        `Build ID: ${bashId}`
      ])
      const noRpm = yield* koji("rpminfo", "nope-1-1.noarch")
      expect(noRpm).toMatchObject({ code: 1, stderr: "No such rpm: nope-1-1.noarch\n\n" })

      // untag-build: a build not in the tag stops everything unless forced
      const notIn = yield* koji("-p", "admin", "untag-build", "base", "zsh-5.9-2")
      expect(notIn).toMatchObject({ code: 1, stderr: "Build zsh-5.9-2 not in tag base\n" })
      ok(yield* koji("-p", "admin", "untag-build", "--test", "--non-latest", "base", "bash"), "would have untagged bash-5.3-1\n")
      ok(yield* koji("-p", "admin", "untag-build", "-v", "base", "bash-5.2-1"), "untagging bash-5.2-1\n")
      ok(yield* koji("list-tagged", "--quiet", "--latest", "base"), `${line3("bash-5.3-1", "base", "admin")}\n`)

      // list-history: tagged, untagged, with events
      const history = yield* koji("list-history", "--build", "bash-5.2-1")
      ok(history)
      const lines = history.stdout.trimEnd().split("\n")
      expect(lines).toHaveLength(2)
      expect(lines[0]).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} bash-5\.2-1 tagged into base by admin$/)
      expect(lines[1]).toMatch(/^\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} bash-5\.2-1 untagged from base by admin$/)
      const retag = yield* koji("-p", "admin", "call", "tagBuildBypass", "base", "bash-5.3-1", "force=True")
      ok(retag)
      const withEvents = yield* koji("list-history", "--tag", "base", "--package", "bash", "-e", "-s", "tag_listing")
      ok(withEvents)
      // the revoke and the create of one event print as one edit
      expect(withEvents.stdout).toMatch(/ \(eid \d+\) bash-5\.3-1 re-tagged into base by admin \[still active\]\n$/)
      const active = yield* koji("list-history", "--tag", "base", "--package", "bash", "--active", "-s", "tag_listing")
      ok(active)
      expect(active.stdout).toMatch(/^\w{3} .* bash-5\.3-1 tagged into base by admin \[still active\]\n$/)
      usage(yield* koji("list-history"), "Please specify an option to limit the query")

      // move-build makes a tagBuild task (the builder moves it)
      const move = yield* koji("-p", "admin", "move-build", "base", "dest", "bash-5.3-1", "nope-1-1")
      ok(move)
      expect(move.stdout).toMatch(/^No such build: nope-1-1, skipping\.\nCreated task \d+, moving bash-5\.3-1\n$/)

      // tag-build: a tagBuild task per build (--nowait: no watching), checked by the hub first
      const tagged = yield* koji("-p", "admin", "tag-build", "--nowait", "dest", "bash-5.3-1")
      ok(tagged)
      const created = /^Created task (\d+)\n$/.exec(tagged.stdout)
      expect(created).not.toBeNull()
      expect(yield* admin.getTaskInfo({ task_id: Number(created![1]) })).toMatchObject({ method: "tagBuild", priority: 10 })
      const unknown = yield* koji("-p", "admin", "tag-build", "--nowait", "dest", "nope-1-1")
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain("No such build")
      usage(yield* koji("-p", "admin", "tag-build", "dest"), "This command takes at least two arguments")
    }))

  it.scoped("the binary: latest-build and a fault", () =>
    Effect.gen(function*() {
      writeConfigs(yield* HubUrl)
      const latest = yield* bin("latest-build", "--quiet", "dest", "zsh")
      ok(latest, `${line3("zsh-5.9-2", "dest", "admin")}\n`)
      const fault = yield* bin("list-tagged", "--event", "999999", "dest")
      expect(fault.code).toBe(1)
      expect(fault.stderr).toMatch(/GenericError: query returned no rows/)
    }), 120_000)
})
