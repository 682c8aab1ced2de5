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

  /** Calls every listener registered, once: later calls do nothing. */
  callOnce(): void {
    const listeners = this.listeners
    this.listeners = undefined
    if (listeners !== undefined) for (const listener of listeners) listener()
  }
}

/** What `onShutdownUnsafe` gives for a group that has begun shutting down, or ended. */
export const noUnregister: () => void = constVoid
