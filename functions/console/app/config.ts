/** `GET /console/config.json`: how the console signs people in (functions/console). */
export interface ConsoleConfig {
  readonly issuer: string;
  /** Unset when the deployment names no console client (CONSOLE_CLIENT_ID). */
  readonly clientId?: string;
  /** The `aud` the API expects of access tokens. */
  readonly audience: string;
  readonly scope?: string;
}

/**
 * The RFC 8707 resource the console names when it signs a person in: the API's audience when that
 * is an https URL (Cognito binds its access tokens to a resource that way); none otherwise, since
 * Entra ID refuses the parameter and the others take the audience from the scope or the server.
 *
 * @example
 * resourceOf('https://tools.acme.com/mcp'); // 'https://tools.acme.com/mcp'
 * resourceOf('toolgate-local'); // undefined
 */
export function resourceOf(audience: string): string | undefined {
  // URL.canParse rather than URL.parse: Safari 17 has only the former.
  return URL.canParse(audience) && new URL(audience).protocol === 'https:' ? audience : undefined;
}
