// Core's part of the fuzz model (the kernel is test-setup/fuzz/, shared with interop):
// what an Effect task can do when it is interrupted, and how an Effect group's body stops.
import * as fc from "fast-check"
import * as Scenarios from "../../../../test-setup/fuzz/scenario.ts"
import * as Simulation from "../../../../test-setup/fuzz/simulation.ts"

const rarely = fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) })

/**
 * An Effect task's finalizer may die when it is interrupted, and the task may be
 * uninterruptible, each now and then; a task never ends in the same step it is spawned in.
 */
const leaves: Scenarios.LeafKinds = {
  onInterrupt: fc.tuple(rarely, rarely).map(([finalizerDies, stubborn]) => ({ finalizerDies, stubborn })),
  synchronous: false
}

/** A nested group fails with its tasks' failures, all of them; an interrupted fiber stops at once. */
const semantics: Simulation.Semantics = { nestedErrors: (errors) => errors, bodyStops: "at once" }

export const scenarioArb = (options: {
  readonly depth: number
  readonly maxDuration: number
  readonly scoped?: boolean
}) => Scenarios.scenarioArb(leaves, options)

export const gatherArb = (maxDuration: number) => Scenarios.gatherArb(leaves, maxDuration)

/** Simulates a scenario whose root group starts at `rootStart` ms. */
export const simulate = (scenario: Scenarios.Scenario, rootStart: number): Simulation.Simulation =>
  Simulation.simulate(semantics, scenario, rootStart)
