/** Who is calling, as established by authentication. */
export interface Caller {
  /** Subject claim of the token. */
  sub: string;
  roles: readonly string[];
}
