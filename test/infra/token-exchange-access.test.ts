import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStage } from '#infra/config/configs.ts';
import { type SynthesizedApp, synthesizeApp } from '#test/helpers/cdk-app.ts';

type Statement = { Action: string | string[]; Resource: unknown };

/** The function whose description starts with `description`, and its policy statements. */
function functionOf(api: Template, description: string) {
  const fn = Object.values(api.findResources('AWS::Lambda::Function')).find((candidate) =>
    String(candidate.Properties.Description).startsWith(description),
  );
  if (!fn) throw new Error(`no function ${description}`);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  const statements = Object.values(api.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
  return { env: fn.Properties.Environment.Variables as Record<string, unknown>, statements };
}

/** Whether a statement reads the secret whose ARN output the stateful stack names `exportName`. */
const readsSecret = (statements: Statement[], logicalId: string) =>
  statements.some(
    (statement) =>
      [statement.Action].flat().includes('secretsmanager:GetSecretValue') &&
      JSON.stringify(statement.Resource).includes(logicalId),
  );

describe('token exchange (CDK)', () => {
  let synth: SynthesizedApp;
  let api: Template;
  let stateful: Template;
  let secretId: string;

  beforeAll(() => {
    // The CRM called with Entra ID on-behalf-of, as the README's context sets it.
    synth = synthesizeApp({
      context: {
        crmExchangeScope: 'api://crm-app/.default',
        tokenExchangeUrl: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
        tokenExchangeStyle: 'entra_obo',
      },
    });
    api = synth.template('api');
    stateful = synth.template('stateful');
    const secrets = stateful.findResources('AWS::SecretsManager::Secret');
    secretId =
      Object.keys(secrets).find((id) => id.startsWith('TokenExchangeClientSecret')) ?? 'none';
  }, 300_000);
  afterAll(() => synth.remove());

  it('synthesizes without a policy finding nobody acknowledged', () => {
    expect(synth.error).toBeUndefined();
  });

  it('keeps the client secret in a secret of its own, shaped clientId and clientSecret', () => {
    expect(secretId).not.toBe('none');
    stateful.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: {
        SecretStringTemplate: JSON.stringify({ clientId: 'set-me' }),
        GenerateStringKey: 'clientSecret',
      },
    });
  });

  it('gives a CRM tool the exchange settings and read access to the client secret', () => {
    const crm = functionOf(api, 'POST /tools/get_customer');
    expect(crm.env).toMatchObject({
      SYSTEM_CRM_CREDENTIAL: 'exchange',
      SYSTEM_CRM_EXCHANGE_SCOPE: 'api://crm-app/.default',
      TOKEN_EXCHANGE_URL: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
      TOKEN_EXCHANGE_STYLE: 'entra_obo',
      TOKEN_EXCHANGE_SECRET_ID: expect.anything(),
    });
    expect(readsSecret(crm.statements, secretId)).toBe(true);
  });

  it('keeps the client secret and settings from a tool that calls no exchange system', () => {
    const erp = functionOf(api, 'POST /tools/get_order_status');
    expect(erp.env.TOKEN_EXCHANGE_SECRET_ID).toBeUndefined();
    expect(erp.env.SYSTEM_CRM_CREDENTIAL).toBeUndefined();
    expect(readsSecret(erp.statements, secretId)).toBe(false);
  });
});

describe('token exchange settings (synth)', () => {
  const base = { issuerUrl: 'https://idp.example.com', audience: 'toolgate' };

  it('fails naming tokenExchangeUrl when a system exchanges without one', () => {
    expect(() =>
      resolveStage('dev', { ...base, systemExchangeAudiences: { crm: 'crm' } }, ['crm']),
    ).toThrow(/tokenExchangeUrl must be the https token endpoint/);
  });

  it('fails naming the scope Entra ID on-behalf-of needs', () => {
    expect(() =>
      resolveStage(
        'dev',
        {
          ...base,
          systemExchangeAudiences: { crm: 'crm' },
          tokenExchangeUrl: 'https://login.microsoftonline.com/t/oauth2/v2.0/token',
          tokenExchangeStyle: 'entra_obo',
        },
        ['crm'],
      ),
    ).toThrow(/-c crmExchangeScope=/);
  });

  it('turns nothing on when no system exchanges', () => {
    expect(resolveStage('dev', base, ['crm']).tokenExchange).toBeUndefined();
  });
});
