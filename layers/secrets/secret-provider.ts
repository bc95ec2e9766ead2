/** Reads a system's credentials by secret id; cached, with a way to bypass the cache after a 401. */
export interface SecretProvider {
  /**
   * Returns the secret's JSON object.
   * @param options.forceFetch - skip the cache (used once after the system answers 401)
   * @throws ConfigurationError when the secret is missing or not a JSON object
   */
  getJson(secretId: string, options?: { forceFetch?: boolean }): Promise<Record<string, unknown>>;
}
