/**
 * Why `soonify` could not look into a process, with the exit code the command ends with.
 *
 * @since 0.1.0
 */

/**
 * What went wrong, one word each; {@link exitCodes} gives the command's exit code.
 *
 * @since 0.1.0
 * @category models
 */
export type Reason =
  | "usage"
  | "no-such-process"
  | "other-user"
  | "no-soonify"
  | "not-attachable"
  | "port-taken"
  | "timeout"
  | "unsupported-node"

/**
 * The exit code of the `soonify` command for each {@link Reason} (0: success; 1: anything
 * unexpected).
 *
 * **Example**
 *
 * ```ts
 * import { exitCodes } from "@soonify/inspect"
 *
 * exitCodes["no-such-process"] // => 3
 * ```
 *
 * @since 0.1.0
 * @category models
 */
export const exitCodes: Readonly<Record<Reason, number>> = {
  usage: 2,
  "no-such-process": 3,
  "other-user": 4,
  "no-soonify": 5,
  "not-attachable": 6,
  "port-taken": 7,
  timeout: 8,
  "unsupported-node": 9
}

/**
 * The error of {@link attach} (and of the `soonify` command): a message that says what to
 * do, its {@link Reason} and the command's exit code.
 *
 * **Example**
 *
 * ```ts
 * import { InspectError } from "@soonify/inspect"
 *
 * const error = new InspectError("timeout", "process 42 did not answer within 5000 ms")
 * error.exitCode // => 8
 * ```
 *
 * @since 0.1.0
 * @category errors
 */
export class InspectError extends Error {
  override readonly name = "InspectError"
  /** What went wrong. */
  readonly reason: Reason
  /** The exit code of the `soonify` command for it. */
  readonly exitCode: number

  constructor(reason: Reason, message: string, options?: ErrorOptions) {
    super(message, options)
    this.reason = reason
    this.exitCode = exitCodes[reason]
  }
}
