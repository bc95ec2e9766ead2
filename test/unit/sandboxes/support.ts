/** Shared bits of the sandbox unit tests: credentials and small HTTP helpers. */
export const credentials = {
  crm: { token: 'crm-token-123' },
  erp: { clientId: 'erp-client', clientSecret: 'erp-secret-456' },
  ticketing: { username: 'api@acme.example/token', password: 'zd-789' },
  mail: { clientId: 'mail-client', clientSecret: 'mail-secret' },
};

export const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** GETs (or sends) JSON and returns the status with the parsed body. */
export async function call<T = any>(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(url, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
    ...(init.body === undefined
      ? {}
      : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
  };
}

/** Sets a sandbox's fault switches over HTTP, as the README documents. */
export const setFaults = (baseUrl: string, faults: unknown) =>
  call(`${baseUrl}/_sandbox/faults`, { method: 'PUT', body: faults });

export const resetFaults = (baseUrl: string) =>
  call(`${baseUrl}/_sandbox/faults`, { method: 'DELETE' });

/** Fetches an ERP access token with the client credentials in the form body. */
export async function erpToken(baseUrl: string): Promise<string> {
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: credentials.erp.clientId,
      client_secret: credentials.erp.clientSecret,
    }).toString(),
  });
  return ((await response.json()) as { access_token: string }).access_token;
}
