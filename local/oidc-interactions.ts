import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import type { InteractionResults } from 'oidc-provider';
import { consentPage, messagePage, type Page, type RoleChoice, signInPage } from './oidc-pages.ts';

/** The users people signed in as, with the roles they picked, as an identity provider's directory. */
export type Directory = Map<string, readonly string[]>;

export interface InteractionOptions {
  provider: Provider;
  /** The path the interaction pages are under, e.g. `/_local/oidc/interaction`. */
  basePath: string;
  roles: readonly RoleChoice[];
  directory: Directory;
  /** The console's client: its consent is given by signing in. */
  consoleClientId: string;
}

const USER = /^[A-Za-z0-9._@+-]{1,64}$/;
const MAX_FORM_BYTES = 16 * 1024;

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

function send(res: ServerResponse, page: Page): void {
  res.writeHead(page.status, { ...page.headers, 'content-length': Buffer.byteLength(page.body) });
  res.end(page.body);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  let text = '';
  for await (const chunk of req) {
    text += (chunk as Buffer).toString('utf8');
    if (text.length > MAX_FORM_BYTES) return undefined;
  }
  return new URLSearchParams(text);
}

const param = (interaction: Interaction, name: string): string | undefined => {
  const value = interaction.params[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * The pages of local mode's OpenID provider between the authorization request and the redirect
 * back to the client: sign-in (a user name and roles from the policy), then consent, which the
 * console's client gets with the sign-in and any other client asks the person for.
 *
 * @example
 * const interactions = interactionPages({ provider, basePath: '/_local/oidc/interaction', roles, directory, consoleClientId });
 * await interactions(req, res, '/abc123/login');
 */
export function interactionPages(options: InteractionOptions) {
  const { provider, basePath, roles, directory, consoleClientId } = options;
  const known = new Set(roles.map((role) => role.name));

  const clientName = async (interaction: Interaction): Promise<string> => {
    const clientId = param(interaction, 'client_id') ?? '';
    const client = await provider.Client.find(clientId);
    return typeof client?.clientName === 'string' && client.clientName
      ? `${client.clientName} (${clientId})`
      : clientId;
  };

  const signIn = async (
    interaction: Interaction,
    form?: { user: string; selected: readonly string[]; error: string },
  ): Promise<Page> =>
    signInPage({
      action: `${basePath}/${interaction.uid}/login`,
      client: await clientName(interaction),
      roles,
      redirectUri: param(interaction, 'redirect_uri'),
      user: form?.user ?? param(interaction, 'login_hint'),
      selected: form?.selected,
      ...(form ? { error: form.error, status: 400 } : {}),
    });

  /** Grants what the client asked for and is missing, then goes back to the provider. */
  const consent = async (req: IncomingMessage, res: ServerResponse, interaction: Interaction) => {
    const accountId = interaction.session?.accountId ?? '';
    const clientId = param(interaction, 'client_id') ?? '';
    const grant =
      (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const details = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
    if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
    for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {}))
      grant.addResourceScope(resource, scopes.join(' '));
    const grantId = await grant.save();
    const result: InteractionResults = {
      consent: interaction.grantId ? {} : { grantId },
    };
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
  };

  const show = async (req: IncomingMessage, res: ServerResponse, interaction: Interaction) => {
    if (interaction.prompt.name === 'login') return send(res, await signIn(interaction));
    if (interaction.prompt.name !== 'consent')
      return send(
        res,
        messagePage(
          400,
          'Cannot continue',
          `This identity provider has no page for the "${interaction.prompt.name}" step.`,
        ),
      );
    if (param(interaction, 'client_id') === consoleClientId) return consent(req, res, interaction);
    const user = interaction.session?.accountId ?? '';
    return send(
      res,
      consentPage({
        action: `${basePath}/${interaction.uid}/consent`,
        abortAction: `${basePath}/${interaction.uid}/abort`,
        client: await clientName(interaction),
        user,
        roles: directory.get(user) ?? [],
        redirectUri: param(interaction, 'redirect_uri'),
      }),
    );
  };

  const login = async (req: IncomingMessage, res: ServerResponse, interaction: Interaction) => {
    const form = await readForm(req);
    if (!form) return send(res, messagePage(413, 'Too large', 'The sign-in form is too large.'));
    const user = (form.get('user') ?? '').trim();
    const selected = form.getAll('roles').filter(Boolean);
    const refuse = async (error: string) =>
      send(res, await signIn(interaction, { user, selected, error }));
    if (!USER.test(user))
      return refuse(
        'User must be 1 to 64 letters, digits or . _ @ + - (for example ana or bea@acme.example).',
      );
    // A hand-made form could name a role the policy does not know: the token would grant nothing.
    const unknown = selected.filter((role) => !known.has(role));
    if (unknown.length > 0)
      return refuse(
        `Unknown role ${unknown.map((role) => `"${role}"`).join(', ')}: the roles are ${[...known].join(', ')}.`,
      );
    directory.set(user, [...new Set(selected)]);
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user } },
      { mergeWithLastSubmission: false },
    );
  };

  return async (req: IncomingMessage, res: ServerResponse, rest: string): Promise<void> => {
    const [uid = '', action = '', ...extra] = rest.replace(/^\//, '').split('/');
    let interaction: Interaction;
    try {
      interaction = await provider.interactionDetails(req, res);
    } catch {
      return send(
        res,
        messagePage(
          400,
          'Sign-in expired',
          'This sign-in has expired or was started in another browser. Go back to the application and sign in again.',
        ),
      );
    }
    if (interaction.uid !== uid || extra.length > 0)
      return send(res, messagePage(404, 'Not found', 'There is no such sign-in page.'));
    const method = req.method ?? 'GET';
    if (action === '' && method === 'GET') return show(req, res, interaction);
    if (method !== 'POST')
      return send(res, messagePage(405, 'Not allowed', `${method} is not allowed here.`));
    if (action === 'login' && interaction.prompt.name === 'login')
      return login(req, res, interaction);
    if (action === 'consent' && interaction.prompt.name === 'consent')
      return consent(req, res, interaction);
    if (action === 'abort')
      return provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The person denied access.' },
        { mergeWithLastSubmission: false },
      );
    return send(res, messagePage(400, 'Cannot continue', 'This step does not match the sign-in.'));
  };
}
