// Tests read response bodies loosely and then assert on their shape, so `json()` returns
// `any` here instead of Node's `unknown`. Only the test tree sees a difference in practice.
export {};

declare global {
  interface Response {
    json(): Promise<any>;
  }
}
