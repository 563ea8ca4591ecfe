import { afterAll, describe, expect, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import type { BuildConfig } from "../src/api/Tags.js"
import { BuildrootBackend, type BuildrootOptions } from "../src/buildroot/Backend.js"
import * as Mock from "../src/buildroot/Mock.js"
import * as MockConfig from "../src/buildroot/MockConfig.js"

const fixtures = fileURLToPath(new URL("fixtures/mock-config", import.meta.url))

interface Fixture {
  readonly name: string
  readonly arch: string
  readonly opts: MockConfig.GenOptions
  readonly extra?: Record<string, unknown>
}

const fixture = (name: string) => ({
  spec: JSON.parse(Fs.readFileSync(Path.join(fixtures, `${name}.json`), "utf8")) as Fixture,
  golden: Fs.readFileSync(Path.join(fixtures, `${name}.cfg`), "utf8")
})

// every directory a test makes, removed after the file
const made: Array<string> = []
afterAll(() => {
  for (const dir of made) Fs.rmSync(dir, { recursive: true, force: true })
})
const tmp = (prefix: string) => {
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), prefix))
  made.push(dir)
  return dir
}

const options = (overrides: Partial<BuildrootOptions> = {}): BuildrootOptions => {
  const base = tmp("kts-mock-")
  return {
    id: 7,
    arch: "x86_64",
    dir: Path.join(base, "root"),
    logDir: Path.join(base, "logs"),
    timeout: Duration.hours(24),
    networking: false,
    tagName: "f99-build",
    repoId: 42,
    topurl: "http://hub.example.com/kojifiles",
    ...overrides
  }
}

const config = (extra: Record<string, unknown>) => ({ extra }) as unknown as BuildConfig

describe("MockConfig", () => {
  for (const name of ["builder", "srpm-network", "cli", "topdir-bind"]) {
    it.effect(`genMockConfig writes Koji's bytes: ${name}.cfg`, () =>
      Effect.gen(function*() {
        const { golden, spec } = fixture(name)
        expect(yield* MockConfig.genMockConfig(spec.name, spec.arch, spec.opts)).toBe(golden)
      }))
  }

  it.effect("generate: the builder's config for a tag with extras (kojid's _writeMockConfig)", () =>
    Effect.gen(function*() {
      const { golden, spec } = fixture("builder")
      const text = yield* MockConfig.generate(options({ buildConfig: config(spec.extra!) }))
      expect(text).toBe(golden)
      expect(MockConfig.buildrootName({ id: 7, tagName: "f99-build", repoId: 42 })).toBe("f99-build-7-42")
      // the repo at <topurl>/repos/<tag>/<repoid>/<arch>, and the tag's macros and environment
      expect(text).toContain("baseurl=http://hub.example.com/kojifiles/repos/f99-build/42/x86_64\\n")
      expect(text).toContain("config_opts['macros']['%dist'] = '.fc99'\n")
      expect(text).toContain("config_opts['environment']['TZ'] = 'UTC'\n")
      // a builder that allows bootstrap images takes the tag's
      const withImage = yield* MockConfig.generate(options({ buildConfig: config(spec.extra!) }), { mock_bootstrap_image: true })
      expect(withImage).toContain("config_opts['bootstrap_image'] = 'registry.example.com/f99:latest'\n")
      expect(withImage).toContain("config_opts['use_bootstrap_image'] = True\n")
    }))

  it.effect("generate: an SCM SRPM buildroot has the network, srpm-build and the host's /etc/hosts", () =>
    Effect.gen(function*() {
      const text = yield* MockConfig.generate(
        options({ id: 8, networking: true, timeout: Duration.hours(1), buildConfig: config({ "rpm.macro.dist": ".fc99" }) })
      )
      expect(text).toContain("config_opts['chroot_setup_cmd'] = 'install @srpm-build'\n")
      expect(text).toContain("config_opts['rpmbuild_networking'] = True\n")
      expect(text).toContain("config_opts['use_host_resolv'] = True\n")
      expect(text).toContain("config_opts['rpmbuild_timeout'] = 3600\n")
      if (Fs.existsSync("/etc/hosts")) {
        expect(text).toContain(`config_opts['files']['etc/hosts'] = ${MockConfig.pyRepr(Fs.readFileSync("/etc/hosts", "utf8"))}\n`)
      }
      // the same as Koji's for the same /etc/hosts
      const { golden, spec } = fixture("srpm-network")
      const hosts = yield* MockConfig.genMockConfig(spec.name, spec.arch, { ...spec.opts })
      expect(hosts).toBe(golden)
    }))

  it.effect("fromBuildConfig in CLI mode gives koji mock-config's options", () =>
    Effect.gen(function*() {
      const { golden, spec } = fixture("cli")
      const derived = yield* MockConfig.fromBuildConfig({ extra: spec.extra! }, { mode: "cli", arch: spec.arch })
      const text = yield* MockConfig.genMockConfig(spec.name, spec.arch, {
        ...derived,
        repoid: "latest",
        tag_name: "f99-build",
        topurl: "https://koji.example.com/kojifiles",
        distribution: "Koji Testing",
        mockdir: "/var/lib/mock"
      })
      expect(text).toBe(golden)
      expect(text).not.toContain("environment")
    }))

  it.effect("Python's repr of values", () =>
    Effect.sync(() => {
      expect(MockConfig.pyRepr("plain")).toBe("'plain'")
      expect(MockConfig.pyRepr("it's")).toBe("\"it's\"")
      expect(MockConfig.pyRepr("it's \"x\"")).toBe("'it\\'s \"x\"'")
      expect(MockConfig.pyRepr("a\\b\n\t\u0001é")).toBe("'a\\\\b\\n\\t\\x01é'")
      expect(MockConfig.pyRepr([1, true, null, { k: "v" }])).toBe("[1, True, None, {'k': 'v'}]")
    }))

  it.effect("bad input: no repo, a half-configured sign plugin", () =>
    Effect.gen(function*() {
      expect(yield* Effect.flip(MockConfig.genMockConfig("x", "x86_64", { tag_name: "t" }))).toMatchObject({
        _tag: "GenericError",
        message: "please provide a repo and tag"
      })
      expect((yield* Effect.flip(MockConfig.generate(options({ repoId: null })))).message).toBe("please provide a repo and tag")
      const sign = yield* Effect.flip(
        MockConfig.generate(options({ buildConfig: config({ "mock.plugin_conf.sign_enable": true }) }))
      )
      expect(sign.message).toBe("Tag is not configured properly for mock's sign plugin'")
    }))
})

describe("Mock backend", () => {
  it.scoped("when mock is not installed, init says which package to install", () =>
    Effect.gen(function*() {
      const empty = tmp("kts-nomock-")
      // a PATH with the usual tools but no mock
      Fs.symlinkSync("/usr/bin/rpm", Path.join(empty, "rpm"))
      const opts = options({ buildConfig: config({}) })
      const backend = yield* Effect.provide(BuildrootBackend, Mock.layerWith({ path: empty }))
      expect(backend.name).toBe("mock")
      const error = yield* Effect.flip(backend.init(opts))
      expect(error).toMatchObject({
        _tag: "BuildrootError",
        faultCode: 1012,
        message: "mock is not installed (install the `mock` package)",
        log: "root.log"
      })
      expect(Fs.readFileSync(Path.join(opts.logDir, "root.log"), "utf8")).toContain("mock is not installed")
    }))
})
