import { constVoid } from "effect/Function"

/**
 * The functions `TaskGroup.onShutdownUnsafe` registered: each is called once, when the
 * group starts shutting down, before anything is interrupted.
 *
 * @internal
 */
export class ShutdownListeners {
  private listeners: Array<() => void> | undefined = undefined

  /** Registers `f`; gives the function that unregisters it. */
  add(f: () => void): () => void {
    const listeners = (this.listeners ??= [])
    listeners.push(f)
    return () => {
      const index = listeners.indexOf(f)
      if (index >= 0) listeners.splice(index, 1)
    }
  }

  /**
   * Calls every listener registered, once: later calls do nothing. A listener that throws
   * does not keep the others from being called: its throw goes to `threw`.
   */
  callOnce(threw: (error: unknown) => void): void {
    const listeners = this.listeners
    this.listeners = undefined
    if (listeners !== undefined) for (const listener of listeners) this.callNow(listener, threw)
  }

  /** Calls `listener` (registered once the group shuts down already); its throw goes to `threw`. */
  callNow(listener: () => void, threw: (error: unknown) => void): void {
    try {
      listener()
    } catch (error) {
      threw(error)
    }
  }
}

/** What `onShutdownUnsafe` gives for a group that has begun shutting down, or ended. */
export const noUnregister: () => void = constVoid
