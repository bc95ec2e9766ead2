import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { canonicalJson } from '#layers/policy/policy-content.ts';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import { loadPolicyText } from '#layers/policy/policy-yaml.ts';
import { type SynthesizedApp, synthesizeApp, testApp, violations } from '#test/helpers/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const repoText = readFileSync(defaultPolicyFile, 'utf8');

describe('The policy as the CDK app deploys it', () => {
  let synth: SynthesizedApp;
  let api: Template;
  let parameterId: string;

  beforeAll(() => {
    synth = synthesizeApp({ context: { policyRefreshSeconds: '30' } });
    api = synth.template('api');
    const [id] = Object.keys(api.findResources('AWS::SSM::Parameter'));
    parameterId = id ?? '';
  }, 300_000);
  afterAll(() => synth.remove());

  const functionsOf = () =>
    Object.entries(api.findResources('AWS::Lambda::Function')) as [string, Resource][];
  const describedAs = (description: string) => {
    const found = functionsOf().find(([, fn]) =>
      String(fn.Properties.Description).startsWith(description),
    );
    if (!found) throw new Error(`no function described "${description}"`);
    return found;
  };
  /** The actions a function's role is granted on the policy parameter. */
  const parameterActions = (functionId: string): string[] => {
    const roleId = describedRole(functionId);
    const policies = Object.values(api.findResources('AWS::IAM::Policy')) as Resource[];
    return policies
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, any>[])
      .filter((statement) => JSON.stringify(statement.Resource).includes(parameterId))
      .flatMap((statement) => [statement.Action].flat() as string[]);
  };
  const describedRole = (functionId: string): string => {
    const fn = api.findResources('AWS::Lambda::Function')[functionId] as Resource;
    return fn.Properties.Role['Fn::GetAtt'][0];
  };

  it('writes the validated policy file into one SSM parameter, as the canonical JSON of its document', () => {
    const expected = canonicalJson(loadPolicyText(repoText, 'policy.yaml').document);

    api.resourceCountIs('AWS::SSM::Parameter', 1);
    api.hasResourceProperties('AWS::SSM::Parameter', {
      Type: 'String',
      Tier: 'Standard',
      Value: expected,
      Description: Match.stringLikeRegexp('infra/policy/policy.yaml \\(version [0-9a-f]{12}\\)'),
    });
  });

  it('gives the functions that read the policy its parameter, refresh time and read access only', () => {
    const [toolId, tool] = describedAs('POST /tools/create_order');
    const [, prefetch] = describedAs('Conversation-start prefetch');
    const [ingestId, ingest] = describedAs('Writes the audit lines');

    expect(tool.Properties.Environment.Variables).toMatchObject({
      POLICY_PARAMETER_NAME: { Ref: parameterId },
      POLICY_REFRESH_SECONDS: '30',
    });
    expect(prefetch.Properties.Environment.Variables.POLICY_PARAMETER_NAME).toEqual({
      Ref: parameterId,
    });
    expect(new Set(parameterActions(toolId))).toEqual(
      new Set([
        'ssm:DescribeParameters',
        'ssm:GetParameters',
        'ssm:GetParameter',
        'ssm:GetParameterHistory',
      ]),
    );
    expect(ingest.Properties.Environment.Variables.POLICY_PARAMETER_NAME).toBeUndefined();
    expect(parameterActions(ingestId)).toEqual([]);
  });

  it('leaves cdk-nag and the Control Tower rules nothing to report about it', () => {
    expect(violations(synth.report).filter((finding) => finding.includes('/Policy/'))).toEqual([]);
    expect(synth.error).toBeUndefined();
  });

  it('fails the synth naming the file and line of a policy that does not validate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'toolgate-policy-'));
    try {
      const file = join(dir, 'policy.yaml');
      writeFileSync(
        file,
        repoText.replace('mask: [contact.email, contact.phone]', 'mask: [contact.fax]'),
      );

      expect(() =>
        buildApp(testApp(), 'dev', (key) => (key === 'policyFile' ? file : undefined)),
      ).toThrow(
        /policy\.yaml:\d+: roles\.viewer\.fields\.mask\[0\]: "contact\.fax" is not a field of the canonical model/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
