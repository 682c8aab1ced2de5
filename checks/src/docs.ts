// The API reference a user browses: typedoc over both packages' JSDoc (with TypeScript 6,
// since TypeScript 7 has no compiler API), into build/api. typedoc fails on a broken
// {@link} or path, or a type the API names that is not exported (checks/typedoc.json:
// validation, treatWarningsAsErrors). Then, from typedoc's JSON: every export (in each
// namespace too) must have documentation, and a member without any is listed. Then
// every link and anchor in the generated pages is followed.
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative } from "node:path"
import { checksRoot, repoRoot, run, step } from "./support.ts"

const out = join(repoRoot, "build/api")

const json = join(repoRoot, "build/api.json")

/** What typedoc's JSON gives of a reflection, as far as this check reads it. */
interface Reflection {
  readonly name: string
  readonly kind: number
  readonly comment?: { readonly summary: ReadonlyArray<{ readonly text: string }> }
  readonly signatures?: ReadonlyArray<Reflection>
  readonly getSignature?: Reflection
  readonly children?: ReadonlyArray<Reflection>
  readonly inheritedFrom?: unknown
  readonly flags?: { readonly isExternal?: boolean }
}

/** typedoc's ReflectionKind values for what a module exports (a re-export, kind Reference, is documented where it points). */
const kinds = {
  Constructor: 512,
  Namespace: 4,
  Enum: 8,
  Variable: 32,
  Function: 64,
  Class: 128,
  Interface: 256,
  TypeAlias: 2_097_152
}
const exportKinds = new Set(Object.values(kinds))

const hasDocs = (reflection: Reflection): boolean =>
  (reflection.comment?.summary.some((part) => part.text.trim() !== "") ?? false) ||
  (reflection.signatures ?? []).some(hasDocs) ||
  (reflection.getSignature !== undefined && hasDocs(reflection.getSignature))

/** Exports without documentation (fail the check), and members without any (listed). */
const undocumented = (): { exports: Array<string>; members: Array<string> } => {
  const project = JSON.parse(readFileSync(json, "utf8")) as Reflection
  const exports: Array<string> = []
  const members: Array<string> = []
  const visitExports = (scope: string, reflection: Reflection): void => {
    const children = reflection.children ?? []
    for (const child of children) {
      if (!exportKinds.has(child.kind)) continue
      const name = `${scope}.${child.name}`
      // A namespace merged with a documented interface or class of its name (Effect's
      // `interface SoonValue` + `declare namespace SoonValue`) is documented by it.
      const mergedWith = children.find((other) => other !== child && other.name === child.name && hasDocs(other))
      if (!hasDocs(child) && !(child.kind === kinds.Namespace && mergedWith !== undefined)) exports.push(name)
      if (child.kind === kinds.Namespace) visitExports(name, child)
      else if (child.kind === kinds.Class || child.kind === kinds.Interface) {
        for (const member of child.children ?? []) {
          const ownMember = member.inheritedFrom === undefined && member.kind !== kinds.Constructor
          if (ownMember && !hasDocs(member)) members.push(`${name}.${member.name}`)
        }
      }
    }
  }
  for (const pkg of project.children ?? []) visitExports(pkg.name, pkg)
  return { exports, members }
}

const htmlFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return htmlFiles(path)
    return entry.name.endsWith(".html") ? [path] : []
  })

const idsCache = new Map<string, Set<string>>()
const idsIn = (file: string): Set<string> => {
  let ids = idsCache.get(file)
  if (ids === undefined) {
    ids = new Set([...readFileSync(file, "utf8").matchAll(/\s(?:id|name)="([^"]+)"/g)].map((match) => match[1] ?? ""))
    idsCache.set(file, ids)
  }
  return ids
}

/** Every `href`/`src` in the generated pages that is not on another site, checked: the file, and its anchor. */
const brokenLinks = (): Array<string> => {
  const broken: Array<string> = []
  for (const file of htmlFiles(out)) {
    const html = readFileSync(file, "utf8")
    for (const [, link = ""] of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
      if (/^(?:[a-z][a-z0-9+.-]*:|\/\/)/i.test(link)) continue
      const [path = "", fragment] = link.replace(/&amp;/g, "&").split("#")
      const target = path === "" ? file : join(dirname(file), decodeURIComponent(path.split("?")[0] ?? ""))
      const where = `${relative(out, file)}: ${link}`
      if (!existsSync(target)) broken.push(`${where} (no such file)`)
      else if (fragment !== undefined && fragment !== "" && !idsIn(target).has(decodeURIComponent(fragment))) {
        broken.push(`${where} (no such anchor)`)
      }
    }
  }
  return broken
}

await step("docs: API reference from the JSDoc (typedoc), every link followed", () => {
  run(
    join(checksRoot, "node_modules/.bin/typedoc"),
    ["--options", join(checksRoot, "typedoc.json"), "--logLevel", "Warn"],
    {
      cwd: checksRoot
    }
  )
  const { exports, members } = undocumented()
  for (const member of members) console.log(`note: member without documentation: ${member}`)
  for (const name of exports) console.log(`export without documentation: ${name}`)
  if (exports.length > 0) throw new Error(`${exports.length} export(s) without documentation`)
  console.log(
    `every export is documented; ${members.length} member(s) of exported classes and interfaces are not (listed above)`
  )
  const pages = htmlFiles(out)
  const broken = brokenLinks()
  for (const link of broken) console.log(`broken link: ${link}`)
  if (broken.length > 0) throw new Error(`${broken.length} broken link(s) in ${relative(repoRoot, out)}`)
  console.log(
    `API reference: ${pages.length} pages in ${relative(repoRoot, out)}, every local link and anchor resolves`
  )
})
