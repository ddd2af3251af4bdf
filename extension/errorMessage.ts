// What the host says about a caught value: its message when it is an Error,
// else the value as text (a rejected promise may carry anything).
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
