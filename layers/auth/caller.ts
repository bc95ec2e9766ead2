/** Who is calling, as established by authentication. */
export interface Caller {
  /** Subject claim of the token. */
  sub: string;
  roles: readonly string[];
  /**
   * The OIDC client the token was issued to (`azp`, else `client_id`). A token of the console's own
   * client (CONSOLE_CLIENT_ID) is a person's session; any other is an agent's.
   */
  clientId?: string | undefined;
}
