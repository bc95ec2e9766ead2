import { describe, expect, it } from 'vitest';
import { declaredBySession, parsedBody, sessionIdFor } from '#functions/mcp/serve/request-rules.ts';

const initialize = (capabilities: unknown) =>
  parsedBody(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-11-25',
        capabilities,
        clientInfo: { name: 't', version: '1' },
      },
    }),
  );
const uuid = () => '0f8fad5b-d9cb-469f-a165-70867728950e';

describe('the session id that remembers what a 2025-era client declared', () => {
  it('is answered only to an initialize that declares URL elicitation, and reads back', () => {
    const id = sessionIdFor(initialize({ elicitation: { url: {} } }), uuid);
    expect(id).toBe(`${uuid()}.eu`);
    expect(declaredBySession(id)).toEqual({ elicitation: { url: {} } });
  });

  it('is not answered for other messages or capabilities', () => {
    expect(sessionIdFor(initialize({ elicitation: { form: {} } }), uuid)).toBeUndefined();
    expect(sessionIdFor(initialize({}), uuid)).toBeUndefined();
    expect(
      sessionIdFor(parsedBody('{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}'), uuid),
    ).toBeUndefined();
    expect(parsedBody('not json')).toBeUndefined();
    expect(sessionIdFor(parsedBody('not json'), uuid)).toBeUndefined();
    expect(sessionIdFor(parsedBody('[]'), uuid)).toBeUndefined();
    expect(sessionIdFor(null, uuid)).toBeUndefined();
  });

  it('declares nothing for a missing, foreign or altered session id', () => {
    expect(declaredBySession(undefined)).toBeUndefined();
    expect(declaredBySession('some-other-server-session')).toBeUndefined();
    expect(declaredBySession(`${uuid()}.xx`)).toBeUndefined();
    expect(declaredBySession(`${uuid()}.eu; drop`)).toBeUndefined();
  });
});
