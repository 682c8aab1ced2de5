import { format } from "effect/Formatter"
import { NodeInspectSymbol } from "effect/Inspectable"
import { pipeArguments } from "effect/Pipeable"

/**
 * What every model shares (as FiberSet's `Proto`): `pipe`, and a readable `toString`
 * and Node inspection made from its `toJSON`.
 *
 * @internal
 */
export abstract class Described {
  abstract toJSON(): unknown

  pipe() {
    return pipeArguments(this, arguments)
  }

  toString(): string {
    return format(this.toJSON(), { ignoreToString: true, space: 2 })
  }

  [NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}
