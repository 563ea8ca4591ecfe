/**
 * Git repositories for build tests: a fixture directory committed into a fresh repository.
 */
import { Effect } from "effect"
import { execFileSync } from "node:child_process"
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const git = (cwd: string, ...args: Array<string>) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: cwd,
      GIT_AUTHOR_NAME: "koji-ts tests",
      GIT_AUTHOR_EMAIL: "tests@koji-ts.invalid",
      GIT_COMMITTER_NAME: "koji-ts tests",
      GIT_COMMITTER_EMAIL: "tests@koji-ts.invalid",
      GIT_CONFIG_NOSYSTEM: "1"
    }
  }).trim()

/** A repository holding `fixture`'s files (test/fixtures/<fixture>), removed when the scope closes. */
export const fromFixture = (fixture: string, options: { readonly root?: string; readonly name?: string } = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const root = options.root ?? mkdtempSync(path.join(os.tmpdir(), "koji-git-"))
      const dir = path.join(root, options.name ?? `${fixture}.git`)
      cpSync(path.join(import.meta.dirname, "..", "fixtures", fixture), dir, { recursive: true })
      git(dir, "init", "-q", "-b", "main")
      git(dir, "add", "-A")
      git(dir, "commit", "-q", "-m", `${fixture}: first commit`)
      const repo = {
        root,
        dir,
        head: () => git(dir, "rev-parse", "HEAD"),
        /** Change a file and commit; answers the new commit. */
        commit: (file: string, content: string, message = `change ${file}`) => {
          writeFileSync(path.join(dir, file), content)
          git(dir, "add", "-A")
          git(dir, "commit", "-q", "-m", message)
          return git(dir, "rev-parse", "HEAD")
        }
      }
      return repo
    }),
    (repo) => Effect.sync(() => rmSync(repo.root, { recursive: true, force: true }))
  )
