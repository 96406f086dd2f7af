// A module whose export runs in a Web Worker (browser.spec.ts serves it as /work.js).
export function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
