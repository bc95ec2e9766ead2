import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedApp, synthesizeApp } from '#test/helpers/cdk-app.ts';

type Statement = { Action: string | string[]; Resource: unknown };

/** The policy statements of the function whose description starts with `description`. */
function statementsOf(api: Template, description: string): Statement[] {
  const fns = api.findResources('AWS::Lambda::Function');
  const fn = Object.values(fns).find((candidate) =>
    String(candidate.Properties.Description).startsWith(description),
  );
  if (!fn) throw new Error(`no function ${description}`);
  const role = (fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0];
  return Object.values(api.findResources('AWS::IAM::Policy'))
    .filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((ref) => ref.Ref === role),
    )
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[]) =>
  statements.flatMap((statement) => [statement.Action].flat()).sort();

describe('connections table (per-user credentials)', () => {
  let synth: SynthesizedApp;
  let api: Template;
  let stateful: Template;

  beforeAll(() => {
    // The CRM called on behalf of users, as `-c crmOAuthClientId=…` sets it.
    synth = synthesizeApp({ context: { crmOAuthClientId: 'toolgate-prod' } });
    api = synth.template('api');
    stateful = synth.template('stateful');
  }, 300_000);
  afterAll(() => synth.remove());

  it('synthesizes without a policy finding nobody acknowledged', () => {
    expect(synth.error).toBeUndefined();
  });

  it('encrypts the table with its own rotated customer-managed key', () => {
    const keys = stateful.findResources('AWS::KMS::Key', {
      Properties: { Description: Match.stringLikeRegexp('connection tokens') },
    });
    const [keyId] = Object.keys(keys);
    expect(keys[keyId ?? '']?.Properties.EnableKeyRotation).toBe(true);
    stateful.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });

  it('gives the CRM tools only item reads and updates of the table, and the key without wildcards', () => {
    const statements = statementsOf(api, 'POST /tools/get_customer');
    const actions = actionsOf(statements);
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem']));
    expect(actions.filter((action) => action.startsWith('kms:'))).toEqual([
      'kms:Decrypt',
      'kms:Encrypt',
      'kms:GenerateDataKey',
    ]);
    expect(actions).not.toContain('dynamodb:Scan');
    const env = Object.values(api.findResources('AWS::Lambda::Function')).find((fn) =>
      String(fn.Properties.Description).startsWith('POST /tools/get_customer'),
    )?.Properties.Environment.Variables;
    expect(env).toMatchObject({
      SYSTEM_CRM_CREDENTIAL: 'user',
      SYSTEM_CRM_OAUTH_CLIENT_ID: 'toolgate-prod',
      CONNECTIONS_TABLE_NAME: expect.anything(),
    });
  });

  it('keeps the table and its key from tools that call no such system', () => {
    const actions = actionsOf(statementsOf(api, 'POST /tools/get_order_status'));
    expect(actions.some((action) => action.startsWith('kms:'))).toBe(false);
    const env = Object.values(api.findResources('AWS::Lambda::Function')).find((fn) =>
      String(fn.Properties.Description).startsWith('POST /tools/get_order_status'),
    )?.Properties.Environment.Variables;
    expect(env.CONNECTIONS_TABLE_NAME).toBeUndefined();
  });

  it('lets the callback only take a pending authorization and store tokens, reading no secret', () => {
    const statements = statementsOf(api, 'GET /connections/{system}/callback');
    const actions = actionsOf(statements);
    expect(actions.filter((action) => action.startsWith('dynamodb:'))).toEqual([
      'dynamodb:DeleteItem',
      'dynamodb:PutItem',
    ]);
    expect(actions.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
  });
});
