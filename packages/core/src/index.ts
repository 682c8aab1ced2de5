/**
 * @soonify/core: structured concurrency with return values, for Effect.
 *
 * @since 0.1.0
 */

/**
 * Task groups: `TaskGroup.run`, `TaskGroup.make`, `TaskGroup.join`, `TaskGroup.gather`.
 *
 * @since 0.1.0
 */
export * as TaskGroup from "./TaskGroup.ts"

/**
 * Handles to tasks' outcomes, and waiting on many of them.
 *
 * @since 0.1.0
 */
export * as SoonValue from "./SoonValue.ts"

/**
 * @since 0.1.0
 */
export * from "./PendingValue.ts"

/**
 * @since 0.1.0
 */
export * from "./TaskGroupClosed.ts"

/**
 * @since 0.2.0
 */
export * from "./TaskGroupTimeout.ts"

/**
 * @since 0.2.0
 */
export * from "./TaskTimeout.ts"

/**
 * Futures: SoonValues completed by hand.
 *
 * @since 0.1.0
 */
export * as Future from "./Future.ts"

/**
 * @since 0.1.0
 */
export * from "./FutureSetAgain.ts"

/**
 * How soonify's packages check their arguments and describe what they received.
 *
 * @since 0.2.0
 */
export * as Arguments from "./Arguments.ts"
