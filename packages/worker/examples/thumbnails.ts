// Makes thumbnails of many images on worker threads with Promise code, moving the pixels
// to the workers instead of copying them: `node examples/thumbnails.ts`.
import { gather } from "@soonify/interop"
import { createWorkerPool, defineWorkerFn, transfer } from "@soonify/worker/interop"
import type { Image, thumbnail } from "./image.worker.ts"

const makeThumbnail = defineWorkerFn<typeof thumbnail>(new URL("./image.worker.ts", import.meta.url), "thumbnail", {
  transferResult: true // the thumbnail's pixels come back moved too
})

/** A test card: a 1024×768 gradient. */
const card = (seed: number): Image => {
  const width = 1024
  const height = 768
  const pixels = new Uint8ClampedArray(width * height * 4)
  for (let i = 0; i < pixels.length; i += 4) {
    pixels[i] = (i / 4 + seed) % 256
    pixels[i + 1] = (i / 4 / width) % 256
    pixels[i + 2] = seed
    pixels[i + 3] = 255
  }
  return { width, height, pixels }
}

const images = Array.from({ length: 8 }, (_, i) => card(i * 16))

await using pool = createWorkerPool()
const thumbnails = await gather(
  images.map((image) => pool.task(makeThumbnail, { ...image, pixels: transfer(image.pixels) }))
)
for (const [i, thumb] of thumbnails.entries()) {
  console.log(
    `image ${i}: ${images[i]!.pixels.byteLength} bytes left here (moved), thumbnail ${thumb.width}×${thumb.height}`
  )
}
