/**
 * What a fail-fast gather collects while it spawns: the value of each effect that
 * succeeded in its first steps, read while its Exit is at hand (reading 10,000 Exits
 * again once the group has ended costs a tenth of the whole gather), and the slots left
 * to read at the end, in input order: a task still running, or an Exit that is no success.
 *
 * A class, not an object literal, so that one instance can keep its layout alive across
 * full garbage collections (`keepCoreLayouts` in group.ts holds one): V8 drops a layout
 * once no object has it, and with it the optimized code that reads it (gather's
 * `spawnSlot`), which then runs unoptimized again in the next gather.
 */
export class Collected {
  readonly values: Array<unknown>
  readonly later: Array<number> = []
  constructor(size: number) {
    // oxlint-disable-next-line unicorn/no-new-array
    this.values = new Array(size)
  }
}
