/**
 * The targets of `DESIGN.md` §9, read off the same-process ratios: each met when the
 * median ratio over processes is within bound at every kind and size measured. They
 * are reported, never enforced: a missed target does not fail the suite.
 */
import { linearBound, linearSubjects, targetSpecs } from "./comparisons.ts"
import type { ComparisonResult, Spread, TargetResult } from "./results.ts"

const status = (cells: TargetResult["cells"], expected: number): TargetResult["status"] =>
  cells.some((cell) => cell.within === false)
    ? "missed"
    : cells.length === expected && cells.every((cell) => cell.within === true)
      ? "met"
      : "unmeasured"

const cell = (
  result: ComparisonResult,
  ratio: Spread | undefined | null,
  cpu: Spread | undefined,
  bound: number,
  strict: boolean
) => ({
  kind: result.kind,
  size: result.size,
  ratio: ratio ?? undefined,
  cpu,
  within: ratio === undefined || ratio === null ? undefined : strict ? ratio.median < bound : ratio.median <= bound
})

export const evaluateTargets = (
  results: ReadonlyArray<ComparisonResult>,
  sizes: ReadonlyArray<number>,
  full: boolean
): ReadonlyArray<TargetResult> => {
  const targets: Array<TargetResult> = targetSpecs.map((spec) => {
    const measured = results.filter(
      (result) =>
        !result.linear &&
        result.subject === spec.subject &&
        result.anchors.includes(spec.anchor) &&
        spec.kinds.includes(result.kind)
    )
    const cells = measured.map((result) => {
      const ratio = result.ratios.find((r) => r.anchor === spec.anchor)
      return spec.figure === "time"
        ? cell(result, ratio?.wall, ratio?.cpu, spec.bound, spec.strict)
        : cell(result, ratio?.live, undefined, spec.bound, spec.strict)
    })
    const expected = spec.figure === "time" ? spec.kinds.length * sizes.length : cells.length
    return { name: spec.name, status: cells.length === 0 ? "unmeasured" : status(cells, expected), cells }
  })
  if (full) {
    for (const { config, kinds } of linearSubjects) {
      const cells = results
        .filter((result) => result.linear && result.subject === config)
        .map((result) => cell(result, result.ratios[0]?.wall, result.ratios[0]?.cpu, linearBound, false))
      targets.push({
        name: `${config}: time(1e6) ≤ ${linearBound}× time(1e5)`,
        status: cells.length === 0 ? "unmeasured" : status(cells, kinds.length),
        cells
      })
    }
  }
  return targets
}
