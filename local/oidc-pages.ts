import { createHash } from 'node:crypto';

/** A role a person may pick on the sign-in page. */
export interface RoleChoice {
  name: string;
  description: string;
}

/** A page of local mode's OpenID provider: its status, headers and HTML. */
export interface Page {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;padding:2rem 1rem;background:#f5f6f8;color:#1c1e21}
main{max-width:28rem;margin:0 auto;background:#fff;padding:1.5rem;border-radius:8px;box-shadow:0 1px 3px #0003}
h1{font-size:1.5rem;margin-top:0}label{display:block;font-weight:600;margin-top:1rem}
input,select{width:100%;box-sizing:border-box;font:inherit;padding:.4rem;margin-top:.25rem}
.hint{color:#555;font-size:.875rem;margin:.25rem 0 0}dt{font-weight:600}dd{margin:0 0 .25rem 1rem}
[role=alert]{color:#a00;background:#fee;padding:.5rem;border-radius:4px}
.actions{display:flex;gap:.5rem;margin-top:1.5rem}
button{font:inherit;padding:.5rem 1rem;border-radius:4px;border:1px solid #1a56db;background:#1a56db;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1a56db}button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid #f59e0b}`;
const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** Text for HTML text and attribute values: nothing in it can become markup. */
export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"'`]/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' })[
        char
      ] ?? char,
  );
}

/**
 * The headers of every page: no script at all, the one inline style by its hash, no framing, and
 * forms that may post only here and, through the redirects that follow a sign-in, to `formTargets`
 * (the client's redirect URI: browsers check form-action along the redirects too).
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const origins = formTargets.flatMap((target) => {
    const origin = URL.parse(target)?.origin;
    return origin && origin !== 'null' ? [origin] : [];
  });
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${STYLE_HASH}`,
      `form-action 'self'${[...new Set(origins)].map((origin) => ` ${origin}`).join('')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

/** A whole HTML document; `main` is markup the caller has escaped. */
export function document(title: string, main: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Toolgate local</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
}

const alert = (message: string | undefined) =>
  message ? `<p role="alert">${escapeHtml(message)}</p>\n` : '';

/**
 * The sign-in page: a user name and roles from the policy, as a person picks them in local mode.
 *
 * @example
 * signInPage({ action: '/_local/oidc/interaction/x/login', client: 'Toolgate console', roles, redirectUri });
 */
export function signInPage(options: {
  action: string;
  client: string;
  roles: readonly RoleChoice[];
  redirectUri?: string | undefined;
  user?: string | undefined;
  selected?: readonly string[] | undefined;
  error?: string | undefined;
  status?: number;
}): Page {
  const selected = new Set(options.selected ?? []);
  const choices = options.roles
    .map(
      (role) =>
        `<option value="${escapeHtml(role.name)}"${selected.has(role.name) ? ' selected' : ''}>${escapeHtml(role.name)}</option>`,
    )
    .join('\n');
  // Option text does not wrap: what each role may do is listed under the field.
  const descriptions = options.roles
    .map((role) => `<dt>${escapeHtml(role.name)}</dt><dd>${escapeHtml(role.description)}</dd>`)
    .join('\n');
  const main = `<h1>Sign in</h1>
<p>to <strong>${escapeHtml(options.client)}</strong> with local mode's identity provider. Any user name works; the roles are those of the policy (infra/policy/policy.yaml).</p>
${alert(options.error)}<form method="post" action="${escapeHtml(options.action)}">
<label for="user">User</label>
<input id="user" name="user" required maxlength="64" pattern="[A-Za-z0-9._@+\\-]+" autocomplete="username" autocapitalize="none" spellcheck="false" aria-describedby="user-hint" value="${escapeHtml(options.user ?? '')}" autofocus>
<p class="hint" id="user-hint">Letters, digits and . _ @ + - (for example ana or bea@acme.example).</p>
<label for="roles">Roles</label>
<select id="roles" name="roles" multiple size="${options.roles.length}" aria-describedby="roles-hint role-list">
${choices}
</select>
<p class="hint" id="roles-hint">Pick one or more; hold Ctrl (⌘ on a Mac) to pick several.</p>
<dl class="hint" id="role-list">
${descriptions}
</dl>
<div class="actions"><button type="submit">Sign in</button></div>
</form>`;
  return {
    status: options.status ?? 200,
    headers: pageHeaders(options.redirectUri ? [options.redirectUri] : []),
    body: document('Sign in', main),
  };
}

/** The consent page a client other than the console gets: who it acts for, allow or deny. */
export function consentPage(options: {
  action: string;
  abortAction: string;
  client: string;
  user: string;
  roles: readonly string[];
  redirectUri?: string | undefined;
}): Page {
  const roles = options.roles.length ? options.roles.join(', ') : 'no roles';
  const main = `<h1>Allow access</h1>
<p><strong>${escapeHtml(options.client)}</strong> asks to call Toolgate as <strong>${escapeHtml(options.user)}</strong> (${escapeHtml(roles)}).</p>
<p class="hint">The client's name is what it registered itself with: allow only a client you started.</p>
<div class="actions">
<form method="post" action="${escapeHtml(options.action)}"><button type="submit">Allow</button></form>
<form method="post" action="${escapeHtml(options.abortAction)}"><button type="submit" class="secondary">Deny</button></form>
</div>`;
  return {
    status: 200,
    headers: pageHeaders(options.redirectUri ? [options.redirectUri] : []),
    body: document('Allow access', main),
  };
}

/** A page that only says something: an error, or that a person signed out. */
export function messagePage(status: number, title: string, message: string): Page {
  return {
    status,
    headers: pageHeaders(),
    body: document(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`),
  };
}
