// Helpers the interop test files share (the ones that wait are in sleep.ts).

/** What `fn` throws synchronously; fails the test when it returns. */
export const thrown = (fn: () => unknown): unknown => {
  try {
    fn()
  } catch (error) {
    return error
  }
  throw new Error("expected a throw")
}
