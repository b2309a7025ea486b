/** Where a command writes: stdout (results), stderr (errors, progress), and whether stderr is a terminal. */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  isTTY?: boolean;
}
