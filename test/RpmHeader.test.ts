import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as ChildProcess from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as Header from "../src/rpm/Header.js"
import * as RpmBuild from "./utils/RpmBuild.js"

// what rpm itself says of a package, in the RpmHeader's terms
const rpmSays = (file: string) => {
  const q = (format: string) => RpmBuild.query(file, format)
  const none = (s: string) => (s === "(none)" ? null : s)
  const list = (tag: string) => q(`[%{${tag}}\n]`).split("\n").filter((s) => s !== "")
  const changelog = q("[%{CHANGELOGTIME}\x1f%{CHANGELOGNAME}\x1f%{CHANGELOGTEXT}\x1e]")
    .split("\x1e")
    .filter((s) => s !== "")
    .map((entry) => {
      const [time, name, text] = entry.split("\x1f")
      return { time: Number(time), name, text }
    })
  const epoch = none(q("%{EPOCH}"))
  return {
    name: q("%{NAME}"),
    version: q("%{VERSION}"),
    release: q("%{RELEASE}"),
    epoch: epoch === null ? null : Number(epoch),
    headerArch: q("%{ARCH}"),
    size: Number(q("%{SIZE}")),
    buildtime: Number(q("%{BUILDTIME}")),
    sourcerpm: none(q("%{SOURCERPM}")),
    sigmd5: q("%{SIGMD5}"),
    summary: q("%{SUMMARY}"),
    description: q("%{DESCRIPTION}"),
    license: q("%{LICENSE}"),
    buildhost: q("%{BUILDHOST}"),
    excludearch: list("EXCLUDEARCH"),
    exclusivearch: list("EXCLUSIVEARCH"),
    buildarchs: list("BUILDARCHS"),
    changelog
  }
}

const parsed = (file: string) => Either.getOrThrow(Header.parse(new Uint8Array(Fs.readFileSync(file))))

describe("RPM headers", () => {
  it.scoped("a binary, a noarch and a source package read as rpm -qp reads them", () =>
    Effect.gen(function*() {
      const built = yield* RpmBuild.build({
        name: "hdrdemo",
        version: "2.5",
        release: "3.fc40",
        epoch: 7,
        exclusiveArch: ["x86_64", "noarch"],
        excludeArch: ["s390x"]
      })
      const binary = built.rpms.find((f) => f.endsWith(".x86_64.rpm"))!
      const noarch = built.rpms.find((f) => f.endsWith(".noarch.rpm"))!
      expect(Path.basename(binary)).toBe("hdrdemo-2.5-3.fc40.x86_64.rpm")
      expect(Path.basename(noarch)).toBe("hdrdemo-data-2.5-3.fc40.noarch.rpm")
      for (const file of [binary, noarch, built.srpm]) {
        const header = parsed(file)
        const expected = rpmSays(file)
        expect(header).toMatchObject(expected)
        expect(header.isSource).toBe(file === built.srpm)
        expect(header.changelog.length).toBe(2)
        // every value is one rpm agrees with, so check the fields the fixture set
        expect(header.epoch).toBe(7)
        expect(header.sigkey).toBe("")
      }
      const src = parsed(built.srpm)
      expect(src.arch).toBe("src")
      expect(src.sourcerpm).toBeNull()
      expect(RpmBuild.query(built.srpm, "%{SOURCEPACKAGE}")).toBe("1")
      expect(src.exclusivearch).toEqual(["x86_64", "noarch"])
      expect(src.excludearch).toEqual(["s390x"])
      expect(parsed(binary).arch).toBe("x86_64")
      expect(parsed(noarch).arch).toBe("noarch")
      expect(parsed(noarch).name).toBe("hdrdemo-data")
      expect(parsed(binary).sourcerpm).toBe("hdrdemo-2.5-3.fc40.src.rpm")
      expect(parsed(binary).changelog[0]).toMatchObject({ name: "Second Person <second@example.com> - 1.0-2", text: "- second entry" })
    }), { timeout: 60_000 })

  it.scoped("generic tag access, the payload offset and the signature header bytes", () =>
    Effect.gen(function*() {
      const built = yield* RpmBuild.build({ name: "tagdemo", version: "1", release: "1", dataSubpackage: false })
      const file = built.rpms[0]!
      const bytes = new Uint8Array(Fs.readFileSync(file))
      const header = parsed(file)
      expect(header.epoch).toBeNull()
      expect(RpmBuild.query(file, "%{EPOCH}")).toBe("(none)")
      // string, integer, string-array and i18n tags by number
      expect(header.tag(Header.Tag.PAYLOADFORMAT)).toEqual({ type: Header.TagType.STRING, value: [RpmBuild.query(file, "%{PAYLOADFORMAT}")] })
      expect(header.tag(Header.Tag.BUILDTIME)).toEqual({ type: Header.TagType.INT32, value: [Number(RpmBuild.query(file, "%{BUILDTIME}"))] })
      expect(header.tag(Header.Tag.SUMMARY)?.type).toBe(Header.TagType.I18NSTRING)
      const basenames = header.tag(1117)
      expect(basenames?.type).toBe(Header.TagType.STRING_ARRAY)
      expect(basenames && "value" in basenames ? basenames.value : []).toEqual(["blob"])
      expect(header.tag(999_999)).toBeUndefined()
      // the signature header's sizes as rpm knows them (SIGSIZE: header + payload)
      expect(header.signatureTag(Header.SigTag.SIZE)).toEqual({
        type: Header.TagType.INT32,
        value: [bytes.length - header.signatureEnd]
      })
      expect(header.signatureBytes.length).toBe(header.signatureEnd - Header.LEAD_SIZE)
      expect(header.signatureEnd % 8).toBe(0)
      // the payload starts right after the main header: rpm2cpio's data is what follows
      expect(header.payloadOffset).toBeLessThan(bytes.length)
      expect([...bytes.subarray(header.payloadOffset, header.payloadOffset + 2)]).not.toEqual([0x8e, 0xad])
      expect(header.lead).toMatchObject({ major: 3, type: 0, signatureType: 5 })
      expect(parsed(built.srpm).lead.type).toBe(1)
    }), { timeout: 60_000 })

  it.scoped("a truncated start asks for the bytes it needs; read() reads them", () =>
    Effect.gen(function*() {
      const built = yield* RpmBuild.build({ name: "bigdemo", version: "1", release: "1", dataSubpackage: false })
      const file = built.rpms[0]!
      const bytes = new Uint8Array(Fs.readFileSync(file))
      const full = parsed(file)
      for (const cut of [0, 3, 50, 100, 200, full.signatureEnd + 8, full.payloadOffset - 1]) {
        const result = Header.parse(bytes.subarray(0, cut))
        expect(Either.isLeft(result)).toBe(true)
        const error = Either.getLeft(result).pipe((o) => o._tag === "Some" ? o.value : undefined)!
        expect(error.reason).toBe("Truncated")
        expect(error.needed).toBeGreaterThan(cut)
        expect(error.needed).toBeLessThanOrEqual(full.payloadOffset)
        // feeding what it asked for gets further (and ends at the whole header)
        const again = Header.parse(bytes.subarray(0, error.needed))
        if (Either.isLeft(again)) expect(again.left.needed).toBeGreaterThan(error.needed!)
      }
      expect(Either.isRight(Header.parse(bytes.subarray(0, full.payloadOffset)))).toBe(true)
      // read(): a small first read, then the exact length
      const sizes: Array<number> = []
      const header = yield* Header.read((size) =>
        Effect.sync(() => {
          sizes.push(size)
          return bytes.subarray(0, Math.min(size, 64))
        })
      ).pipe(Effect.flip)
      // a file that ends early (a short read) is truncated for good
      expect(header.reason).toBe("Truncated")
      expect(sizes).toEqual([Header.INITIAL_READ])
      const ok = yield* Header.read((size) => Effect.sync(() => bytes.subarray(0, size)))
      expect(ok.name).toBe("bigdemo")
    }), { timeout: 60_000 })

  it.scoped("a header larger than the first read is read again at its length", () =>
    Effect.gen(function*() {
      // a header of over 256 KiB: a long changelog-free description is not possible from a spec,
      // so grow the header with many files
      const dir = Fs.mkdtempSync("/tmp/koji-ts-bighdr-")
      yield* Effect.addFinalizer(() => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true })))
      const spec = [
        "Name: manyfiles",
        "Version: 1",
        "Release: 1",
        "Summary: Many files",
        "License: MIT",
        "BuildArch: noarch",
        "%description",
        "Many files.",
        "%install",
        "mkdir -p %{buildroot}/usr/share/manyfiles",
        "cd %{buildroot}/usr/share/manyfiles && seq -f 'a-rather-long-file-name-to-grow-the-header-%05g' 1 2500 | xargs touch",
        "%files",
        "/usr/share/manyfiles"
      ].join("\n") + "\n"
      Fs.writeFileSync(`${dir}/manyfiles.spec`, spec)
      ChildProcess.execFileSync("rpmbuild", ["-bb", "--nodeps", "--define", `_topdir ${dir}/top`, `${dir}/manyfiles.spec`], {
        stdio: "pipe"
      })
      const file = `${dir}/top/RPMS/noarch/manyfiles-1-1.noarch.rpm`
      const bytes = new Uint8Array(Fs.readFileSync(file))
      const sizes: Array<number> = []
      const header = yield* Header.read((size) =>
        Effect.sync(() => {
          sizes.push(size)
          return bytes.subarray(0, size)
        })
      )
      expect(header.payloadOffset).toBeGreaterThan(Header.INITIAL_READ)
      expect(sizes).toEqual([Header.INITIAL_READ, header.payloadOffset])
      expect(header.tag(1117) && "value" in header.tag(1117)! ? (header.tag(1117) as any).value.length : 0).toBe(2501)
      expect(header.sigmd5).toBe(RpmBuild.query(file, "%{SIGMD5}"))
    }), { timeout: 60_000 })

  it.scoped("a signed package: the signing key's id, as Koji's sigkey", () =>
    Effect.gen(function*() {
      const built = yield* RpmBuild.build({ name: "signdemo", version: "1", release: "1", dataSubpackage: false })
      const home = Path.join(built.dir, "gnupg")
      Fs.mkdirSync(home, { mode: 0o700 })
      const env = { ...process.env, GNUPGHOME: home }
      ChildProcess.execFileSync("gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "Koji Test <koji@example.com>", "rsa2048", "sign", "never"], {
        env,
        stdio: "pipe"
      })
      const keyId = ChildProcess.execFileSync("gpg", ["--batch", "--with-colons", "--list-keys"], {
        env,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"]
      })
        .split("\n")
        .find((line) => line.startsWith("pub:"))!
        .split(":")[4]!
        .toLowerCase()
      const file = built.rpms[0]!
      ChildProcess.execFileSync("rpmsign", ["--addsign", "--define", "_gpg_name Koji Test", "--define", `_gpg_path ${home}`, "--define", "__gpg /usr/bin/gpg", file], {
        env,
        stdio: "pipe"
      })
      const header = parsed(file)
      expect(header.sigkey).toBe(keyId.slice(-8))
      // rpm prints the same key id
      expect(RpmBuild.query(file, "%{RSAHEADER:pgpsig}").toLowerCase()).toContain(keyId)
      // signing changes neither the main header nor sigmd5
      expect(header.sigmd5).toBe(RpmBuild.query(file, "%{SIGMD5}"))
    }), { timeout: 60_000 })

  it("garbage, wrong magic and broken headers are typed errors", () => {
    const reason = (bytes: Uint8Array) => {
      const result = Header.parse(bytes)
      return Either.isLeft(result) ? result.left.reason : "ok"
    }
    expect(reason(new TextEncoder().encode("this is not an rpm, just text that is long enough to be a lead...............................................!"))).toBe("BadMagic")
    expect(reason(new Uint8Array([0x50, 0x4b, 0x03, 0x04]))).toBe("BadMagic")
    expect(reason(new Uint8Array(0))).toBe("Truncated")
    // a real lead followed by garbage: the signature header's magic is wrong
    const lead = new Uint8Array(200)
    lead.set([0xed, 0xab, 0xee, 0xdb, 3, 0, 0, 0], 0)
    lead[79] = 5
    expect(reason(lead)).toBe("BadMagic")
    // random bytes after a valid lead and header magic: malformed or truncated, never a throw
    for (let seed = 1; seed < 300; seed++) {
      const bytes = new Uint8Array(4096)
      let x = seed
      for (let i = 0; i < bytes.length; i++) {
        x = (x * 1103515245 + 12345) & 0x7fffffff
        bytes[i] = x >> 16
      }
      bytes.set([0xed, 0xab, 0xee, 0xdb, 3, 0, 0, seed % 2], 0)
      bytes[78] = 0
      bytes[79] = 5
      bytes.set([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, seed % 40], 96)
      bytes.set([0, 0, (seed * 7) % 5, seed % 256], 108)
      const r = reason(bytes)
      expect(["Malformed", "Truncated", "BadMagic"]).toContain(r)
    }
    // a header whose entry points past its data store
    const bad = new Uint8Array(96 + 16 + 16 + 8)
    bad.set([0xed, 0xab, 0xee, 0xdb, 3, 0, 0, 0], 0)
    bad[79] = 5
    bad.set([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 8], 96)
    bad.set([0, 0, 0x03, 0xe8, 0, 0, 0, 4, 0, 0, 0, 100, 0, 0, 0, 1], 112)
    const result = Header.parse(bad)
    expect(Either.isLeft(result) && result.left.reason).toBe("Malformed")
    expect(Either.isLeft(result) && result.left.message).toContain("past the data store")
  })

  it.scoped("every prefix of a real package parses or asks for more, never throws", () =>
    Effect.gen(function*() {
      const built = yield* RpmBuild.build({ name: "prefixdemo", version: "1", release: "1", dataSubpackage: false })
      const bytes = new Uint8Array(Fs.readFileSync(built.srpm))
      const full = parsed(built.srpm)
      for (let cut = 0; cut <= full.payloadOffset; cut += 97) {
        const result = Header.parse(bytes.subarray(0, cut))
        if (Either.isLeft(result)) expect(result.left.reason).toBe("Truncated")
      }
      // flipped bytes in the index: typed errors only
      for (let at = 96; at < full.header.start + 200; at += 3) {
        const copy = bytes.slice(0, full.payloadOffset)
        copy[at] = copy[at]! ^ 0xff
        const result = Header.parse(copy)
        if (Either.isLeft(result)) expect(["Malformed", "Truncated", "BadMagic"]).toContain(result.left.reason)
      }
    }), { timeout: 60_000 })
})
