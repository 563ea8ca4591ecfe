import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import { createHash } from "node:crypto"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { deflateSync } from "node:zlib"
import * as Checksum from "../src/storage/Checksum.js"
import * as FileStore from "../src/storage/FileStore.js"

const bytes = (s: string) => new TextEncoder().encode(s)
const text = (b: Uint8Array) => new TextDecoder().decode(b)
const same = (a: Uint8Array, b: Uint8Array) => Buffer.compare(a, b) === 0

// zlib's adler32 of some bytes: the last 4 bytes of a zlib stream, big-endian
const zlibAdler32 = (data: Uint8Array) => {
  const z = deflateSync(data)
  return Buffer.from(z.subarray(z.length - 4)).toString("hex")
}

const reasonOf = <A>(effect: Effect.Effect<A, FileStore.StorageError>) =>
  Effect.map(Effect.either(effect), (e) => Either.isLeft(e) ? e.left.reason : "ok")

describe("Checksum", () => {
  it("adler32 matches the known values and zlib's, fed in one piece or many", () => {
    expect(Checksum.digest("adler32", bytes("Wikipedia"))).toBe("11e60398")
    expect(Checksum.digest("adler32", new Uint8Array(0))).toBe("00000001")
    // long enough to need the modulo reductions, with every byte value
    const big = new Uint8Array(3_000_000).map((_, i) => (i * 7919) & 0xff)
    const expected = zlibAdler32(big)
    expect(Checksum.digest("adler32", big)).toBe(expected)
    const incremental = Checksum.adler32()
    for (let i = 0; i < big.length; i += 65_537) incremental.update(big.subarray(i, i + 65_537))
    expect(incremental.digest()).toBe(expected)
    // combined from the pieces' sums, as zlib's adler32_combine
    const cut = 1_234_567
    const first = Checksum.digest("adler32", big.subarray(0, cut))
    const second = Checksum.digest("adler32", big.subarray(cut))
    expect(Checksum.combineAdler32(first, second, big.length - cut)).toBe(expected)
    expect(Checksum.combineAdler32("00000001", first, cut)).toBe(first)
    expect(Checksum.combineAdler32(first, "00000001", 0)).toBe(first)
    expect(Checksum.digest("md5", bytes("abc"))).toBe("900150983cd24fb0d6963f7d28e17f72")
    expect(Checksum.digest("sha256", bytes("abc"))).toBe(createHash("sha256").update("abc").digest("hex"))
  })
})

describe("FileStore.normalize", () => {
  it.effect("folds . and .., refuses escapes, absolute paths and NUL", () =>
    Effect.gen(function*() {
      expect(yield* FileStore.normalize("a/./b//c/../d")).toBe("a/b/d")
      expect(yield* FileStore.normalize("")).toBe("")
      expect(yield* FileStore.normalize("a/..")).toBe("")
      expect(yield* reasonOf(FileStore.normalize("../x"))).toBe("BadPath")
      expect(yield* reasonOf(FileStore.normalize("a/../../x"))).toBe("BadPath")
      expect(yield* reasonOf(FileStore.normalize("/etc/passwd"))).toBe("BadPath")
      expect(yield* reasonOf(FileStore.normalize("a\0b"))).toBe("BadPath")
    }))
})

const stores = [
  ["memory", () => FileStore.makeMemory] as const,
  ["local", () =>
    Effect.flatMap(
      Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-store-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      ),
      (dir) => FileStore.makeLocal(Path.join(dir, "topdir"))
    )] as const
] as const

for (const [kind, make] of stores) {
  describe(`FileStore (${kind})`, () => {
    it.scoped("writeChunk follows Koji's rawUpload rules", () =>
      Effect.gen(function*() {
        const store = yield* make()
        const f = "work/up/a.bin"
        expect(yield* store.writeChunk(f, 0, bytes("hello "))).toEqual({ size: 6 })
        // offset 0 on an existing file without overwrite
        expect(yield* reasonOf(store.writeChunk(f, 0, bytes("x")))).toBe("Exists")
        // appends at the end with -1, and at its offset
        expect(yield* store.writeChunk(f, -1, bytes("world"))).toEqual({ size: 11 })
        expect(yield* store.writeChunk(f, 11, bytes("!!"))).toEqual({ size: 13 })
        expect(text(yield* store.read(f))).toBe("hello world!!")
        // a write at an offset ends the file there (a resumed chunk replaces what followed)
        expect(yield* store.writeChunk(f, 6, bytes("there"))).toEqual({ size: 11 })
        expect(text(yield* store.read(f))).toBe("hello there")
        // overwrite at 0 starts again
        expect(yield* store.writeChunk(f, 0, bytes("new"), { overwrite: true })).toEqual({ size: 3 })
        expect(text(yield* store.read(f))).toBe("new")
        expect(yield* reasonOf(store.writeChunk(f, -2, bytes("x")))).toBe("BadPath")
        // a directory is not a file
        expect(yield* reasonOf(store.writeChunk("work/up", 0, bytes("x")))).toBe("BadPath")
      }))

    it.scoped("writeStream writes what arrives, also when the stream fails midway", () =>
      Effect.gen(function*() {
        const store = yield* make()
        const f = "work/s/file"
        const pieces = Stream.fromIterable([bytes("abc"), bytes("def")])
        expect(yield* store.writeStream(f, 0, pieces)).toEqual({ offset: 0, size: 6 })
        expect(yield* store.writeStream(f, -1, Stream.make(bytes("gh")))).toEqual({ offset: 6, size: 8 })
        const broken = Stream.concat(Stream.make(bytes("XY")), Stream.fail("dropped"))
        const failed = yield* Effect.either(store.writeStream(f, 3, broken))
        expect(failed).toEqual(Either.left("dropped"))
        expect(text(yield* store.read(f))).toBe("abcXY")
        // resume at the last good offset
        expect(yield* store.writeStream(f, 3, Stream.make(bytes("def")))).toEqual({ offset: 3, size: 6 })
        expect(text(yield* store.read(f))).toBe("abcdef")
      }))

    it.scoped("read and stream ranges, negative offsets from the end", () =>
      Effect.gen(function*() {
        const store = yield* make()
        const data = new Uint8Array(300_000).map((_, i) => i & 0xff)
        yield* store.writeFile("a/b/c.dat", data)
        expect(yield* store.read("a/b/c.dat", { offset: 10, size: 5 })).toEqual(data.slice(10, 15))
        expect(yield* store.read("a/b/c.dat", { offset: -4 })).toEqual(data.slice(-4))
        expect(same(yield* store.read("a/b/c.dat", { offset: -1_000_000 }), data)).toBe(true)
        expect((yield* store.read("a/b/c.dat", { offset: 400_000 })).length).toBe(0)
        const streamed = yield* Stream.runCollect(store.stream("a/b/c.dat", { start: 100, end: 290_000 }))
        expect(same(Buffer.concat(Chunk.toReadonlyArray(streamed)), data.subarray(100, 290_000))).toBe(true)
        const all = yield* Stream.runCollect(store.stream("a/b/c.dat"))
        expect(Buffer.concat(Chunk.toReadonlyArray(all)).length).toBe(300_000)
        expect(yield* reasonOf(store.read("a/b/missing"))).toBe("NotFound")
        expect(yield* reasonOf(Stream.runDrain(store.stream("a/b/missing")))).toBe("NotFound")
      }))

    it.scoped("stat, list, walk, move, copy, truncate, remove", () =>
      Effect.gen(function*() {
        const store = yield* make()
        yield* store.writeFile("t/x/1.log", bytes("one"))
        yield* store.writeFile("t/x/sub/2.log", bytes("two!"))
        yield* store.makeDirectory("t/x/empty")
        const info = yield* store.stat("t/x/sub/2.log")
        expect(info).toMatchObject({ name: "2.log", path: "t/x/sub/2.log", size: 4, isDirectory: false })
        expect(info!.mtime).toBeGreaterThan(1_600_000_000)
        expect((yield* store.stat("t/x"))?.isDirectory).toBe(true)
        expect(yield* store.stat("t/none")).toBeUndefined()
        expect((yield* store.list("t/x")).map((e) => [e.name, e.isDirectory])).toEqual([
          ["1.log", false],
          ["empty", true],
          ["sub", true]
        ])
        expect(yield* store.list("t/none")).toEqual([])
        expect(yield* store.walk("t/x")).toEqual(["1.log", "sub/2.log"])
        yield* store.copy("t/x/1.log", "t/y/copy.log")
        expect(yield* reasonOf(store.copy("t/x/1.log", "t/y/copy.log"))).toBe("Exists")
        yield* store.move("t/x/sub", "t/z/moved")
        expect(yield* store.walk("t")).toEqual(["x/1.log", "y/copy.log", "z/moved/2.log"])
        expect(yield* reasonOf(store.move("t/x/1.log", "t/y/copy.log"))).toBe("Exists")
        yield* store.truncate("t/y/copy.log", 1)
        expect(text(yield* store.read("t/y/copy.log"))).toBe("o")
        yield* store.remove("t/z")
        yield* store.remove("t/none")
        expect(yield* store.walk("t")).toEqual(["x/1.log", "y/copy.log"])
        expect(yield* reasonOf(store.remove(""))).toBe("BadPath")
      }))

    it.scoped("writeFile replaces atomically and leaves no temporary file", () =>
      Effect.gen(function*() {
        const store = yield* make()
        yield* store.writeFile("w/f.json", bytes("{\"v\":1}"))
        yield* store.writeFile("w/f.json", bytes("{\"v\":2}"))
        expect(text(yield* store.read("w/f.json"))).toBe("{\"v\":2}")
        expect((yield* store.list("w")).map((e) => e.name)).toEqual(["f.json"])
        if (store.localRoot !== undefined) {
          // a reader holding the old file keeps the old content: the new one came by rename
          const file = Path.join(store.localRoot, "w/f.json")
          const fd = Fs.openSync(file, "r")
          yield* store.writeFile("w/f.json", bytes("{\"v\":3}"))
          const old = Buffer.alloc(7)
          Fs.readSync(fd, old, 0, 7, 0)
          Fs.closeSync(fd)
          expect(old.toString()).toBe("{\"v\":2}")
          expect(Fs.readFileSync(file, "utf8")).toBe("{\"v\":3}")
        }
      }))

    it.scoped("checksums of the whole file and of its tail", () =>
      Effect.gen(function*() {
        const store = yield* make()
        const data = new Uint8Array(1_000_000).map((_, i) => (i * 31) & 0xff)
        yield* store.writeFile("c/f", data)
        expect(yield* store.checksum("c/f", "adler32")).toBe(zlibAdler32(data))
        expect(yield* store.checksum("c/f", "md5")).toBe(createHash("md5").update(data).digest("hex"))
        expect(yield* store.checksum("c/f", "sha256", { tail: 1000 })).toBe(
          createHash("sha256").update(data.subarray(data.length - 1000)).digest("hex")
        )
        expect(yield* store.checksum("c/f", "adler32", { tail: 5_000_000 })).toBe(zlibAdler32(data))
        expect(yield* reasonOf(store.checksum("c/none", "md5"))).toBe("NotFound")
      }))

    it.scoped("paths never leave the topdir", () =>
      Effect.gen(function*() {
        const store = yield* make()
        for (const bad of ["../x", "a/../../x", "/etc/passwd", "a/\0/b"]) {
          expect(yield* reasonOf(store.writeFile(bad, bytes("x")))).toBe("BadPath")
          expect(yield* reasonOf(store.read(bad))).toBe("BadPath")
          expect(yield* reasonOf(store.stat(bad))).toBe("BadPath")
        }
      }))
  })
}

describe("FileStore (local) symlinks", () => {
  it.scoped("a symlink leading out of the topdir is refused; one inside is followed", () =>
    Effect.gen(function*() {
      const base = yield* Effect.acquireRelease(
        Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "koji-store-"))),
        (dir) => Effect.sync(() => Fs.rmSync(dir, { recursive: true, force: true }))
      )
      const outside = Path.join(base, "outside")
      Fs.mkdirSync(outside)
      Fs.writeFileSync(Path.join(outside, "secret"), "secret")
      const store = yield* FileStore.makeLocal(Path.join(base, "topdir"))
      const root = store.localRoot!
      Fs.mkdirSync(Path.join(root, "work"), { recursive: true })
      Fs.symlinkSync(outside, Path.join(root, "work", "out"))
      Fs.symlinkSync(Path.join(outside, "secret"), Path.join(root, "work", "secret-link"))
      Fs.mkdirSync(Path.join(root, "real"))
      Fs.writeFileSync(Path.join(root, "real", "f"), "inside")
      Fs.symlinkSync(Path.join(root, "real"), Path.join(root, "work", "in"))

      expect(yield* reasonOf(store.read("work/out/secret"))).toBe("BadPath")
      expect(yield* reasonOf(store.read("work/secret-link"))).toBe("BadPath")
      expect(yield* reasonOf(store.stat("work/out"))).toBe("BadPath")
      expect(yield* reasonOf(store.writeChunk("work/out/new", 0, bytes("x")))).toBe("BadPath")
      expect(yield* reasonOf(store.writeFile("work/out/deeper/new", bytes("x")))).toBe("BadPath")
      expect(yield* reasonOf(store.checksum("work/out/secret", "md5"))).toBe("BadPath")
      expect(yield* reasonOf(Stream.runDrain(store.stream("work/out/secret")))).toBe("BadPath")
      expect(Fs.readdirSync(outside)).toEqual(["secret"])
      // listing leaves the links out that lead out
      expect((yield* store.list("work")).map((e) => e.name)).toEqual(["in"])
      // inside the topdir a link is fine to read, but not to write through
      expect(text(yield* store.read("work/in/f"))).toBe("inside")
      expect(yield* reasonOf(store.writeChunk("work/in", 0, bytes("x")))).toBe("BadPath")
    }))
})
