import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

/** What the key endpoint answers instead of the keys, to play an issuer in trouble. */
export interface JwksFault {
  status: number;
  body: string;
  contentType?: string;
}

/**
 * Serves a JWKS over real HTTP on an ephemeral port, as an OIDC issuer would; `fail` makes it
 * answer something else until called again without a fault.
 */
export async function serveJwks(keys: () => { keys: JWK[] }): Promise<{
  url: string;
  fail(fault: JwksFault | undefined): void;
  close(): Promise<void>;
}> {
  let fault: JwksFault | undefined;
  const server: Server = createServer((_req, res) => {
    if (fault) {
      res.writeHead(fault.status, { 'content-type': fault.contentType ?? 'text/plain' });
      res.end(fault.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(keys()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/jwks.json`,
    fail: (next) => {
      fault = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
