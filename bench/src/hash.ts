/**
 * The CPU-bound work of the `hash` kind: one SHA-256 over a 1 MiB buffer fed to it
 * `repeats` times, so that a task keeps a core busy for about 10 ms (with the SHA
 * instructions of x86 or Arm; more without) instead of the fraction of a millisecond
 * a single 1 MiB hash takes, which a worker call's own cost would blur.
 *
 * The event loop (`tasks.ts`) and the worker threads (`hash.worker.ts`) run this same
 * function. Every digest is checked against one computed another way (the SHA-256 of
 * the `repeats` copies concatenated), once per process and input, by the first run
 * that needs it: a warm-up run, never a timed one.
 */
import { createHash, randomFillSync } from "node:crypto"

/** How many bytes each task hashes, `repeats` times. */
export const bufferBytes = 1 << 20

/** How many times each task feeds its buffer to the hash. */
export const repeats = 16

/** The SHA-256 (hex) of `data` repeated `repeats` times: the work itself. */
export const hashRepeated = (data: Uint8Array): string => {
  const hash = createHash("sha256")
  for (let r = 0; r < repeats; r++) hash.update(data)
  return hash.digest("hex")
}

const buffers: Array<Uint8Array> = []
const digests: Array<string> = []

/** The buffer of input `i`: random bytes, made once per process. */
export const hashInput = (i: number): Uint8Array => {
  let buffer = buffers[i]
  if (buffer === undefined) {
    buffer = randomFillSync(new Uint8Array(bufferBytes))
    buffers[i] = buffer
  }
  return buffer
}

/** The digest input `i` must give, computed once, not by `hashRepeated`. */
const expectedDigest = (i: number): string => {
  let digest = digests[i]
  if (digest === undefined) {
    digest = createHash("sha256")
      .update(Buffer.concat(Array.from({ length: repeats }, () => hashInput(i))))
      .digest("hex")
    digests[i] = digest
  }
  return digest
}

/** `i` when `digest` is input `i`'s; otherwise throws, which fails the whole run. */
export const checkDigest = (i: number, digest: unknown): number => {
  const expected = expectedDigest(i)
  if (digest !== expected) {
    throw new Error(`hash ${i}: the digest is ${String(digest)}, expected ${expected}`)
  }
  return i
}
