// Worker functions for the image example: plain CPU work on raw RGBA pixels.

/** An image as raw RGBA pixels, 4 bytes a pixel, row after row. */
export interface Image {
  readonly width: number
  readonly height: number
  readonly pixels: Uint8ClampedArray
}

/** Halves the image in both directions (each pixel the mean of a 2×2 block), in grayscale. */
export const thumbnail = (image: Image): Image => {
  const width = image.width >> 1
  const height = image.height >> 1
  const pixels = new Uint8ClampedArray(width * height * 4)
  const at = (x: number, y: number) => {
    const i = (y * image.width + x) * 4
    return 0.299 * image.pixels[i]! + 0.587 * image.pixels[i + 1]! + 0.114 * image.pixels[i + 2]!
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gray = (at(2 * x, 2 * y) + at(2 * x + 1, 2 * y) + at(2 * x, 2 * y + 1) + at(2 * x + 1, 2 * y + 1)) / 4
      const o = (y * width + x) * 4
      pixels[o] = pixels[o + 1] = pixels[o + 2] = gray
      pixels[o + 3] = 255
    }
  }
  return { width, height, pixels }
}
