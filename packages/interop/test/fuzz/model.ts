// Interop's part of the fuzz model (the kernel is test-setup/fuzz/, shared with core):
// what Promise code adds to core's groups. A task chooses how it answers its
// AbortSignal, may be a plain function that returns or throws at once, and a body's
// synchronous code runs on when its signal aborts; a nested group reports its failures
// to its parent as one error (an AggregateError when there are several).
import * as fc from "fast-check"
import * as Scenarios from "../../../../test-setup/fuzz/scenario.ts"
import * as Simulation from "../../../../test-setup/fuzz/simulation.ts"

/** The label of what several errors are thrown as: one error as itself, several as an AggregateError. */
export const combined = (errors: ReadonlyArray<string>): string =>
  errors.length === 1 ? errors[0] : `aggregate[${errors.toSorted().join(", ")}]`

/** How a task answers its aborted signal: rejects with its reason, with its own error, or not at all. */
const leaves: Scenarios.LeafKinds = {
  onInterrupt: fc.oneof(
    { weight: 4, arbitrary: fc.constant({ finalizerDies: false, stubborn: false }) },
    { weight: 1, arbitrary: fc.constant({ finalizerDies: true, stubborn: false }) },
    { weight: 1, arbitrary: fc.constant({ finalizerDies: false, stubborn: true }) }
  ),
  synchronous: true
}

/** A nested taskGroup rejects with its one error, or an AggregateError of several. */
const semantics: Simulation.Semantics = {
  nestedErrors: (errors) => (errors.length === 0 ? [] : [combined(errors)]),
  bodyStops: "at its next await"
}

export const scenarioArb = (options: { readonly depth: number; readonly maxDuration: number }) =>
  Scenarios.scenarioArb(leaves, options)

export const gatherArb = (maxDuration: number) => Scenarios.gatherArb(leaves, maxDuration)

/** Simulates a scenario whose root group starts at `rootStart` ms. */
export const simulate = (scenario: Scenarios.Scenario, rootStart: number): Simulation.Simulation =>
  Simulation.simulate(semantics, scenario, rootStart)
