// Worker functions for the hashing examples: each runs on a worker thread of a pool.
import { createHash } from "node:crypto"
import { readFile } from "node:fs/promises"

/** The SHA-256 of a file: read and hashed on the worker, off the caller's event loop. */
export const hashFile = async (path: string): Promise<string> =>
  createHash("sha256")
    .update(await readFile(path))
    .digest("hex")

/** The SHA-256 of some bytes. */
export const sha256 = (data: Uint8Array): string => createHash("sha256").update(data).digest("hex")
