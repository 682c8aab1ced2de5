// Deliberately wrong (Promise code): each `// wrong:` line is what typescript-eslint's
// no-floating-promises reports; test/lint.test.ts asserts exactly those lines.
import { gather, taskGroup } from "@soonify/interop"

export const crawl = (urls: ReadonlyArray<string>) =>
  taskGroup(async (tg) => {
    // wrong: without `await`, the gather escapes the body: the group ends without waiting
    // for it, and a failure of it later becomes an unhandled rejection.
    gather(urls.map((url) => (signal: AbortSignal) => fetch(url, { signal })))
    const soon = tg.spawn((signal) => fetch(urls[0]!, { signal }))
    // wrong: the wait is started and forgotten; the body goes on at once.
    soon.wait()
  })
