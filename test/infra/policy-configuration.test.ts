import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { canonicalJson } from '#layers/digest/input-digest.ts';
import { defaultPolicyFile } from '#layers/policy/policy-file.ts';
import { loadPolicyFile } from '#layers/policy/policy-yaml.ts';
import { type SynthesizedApp, synthesizeApp, testApp, violations } from '#test/helpers/cdk-app.ts';

type Resource = { Type: string; Properties: Record<string, any> };
const repoText = readFileSync(defaultPolicyFile, 'utf8');

describe('The policy as the CDK app deploys it', () => {
  let synth: SynthesizedApp;
  let api: Template;
  let ids: { application: string; environment: string; profile: string };

  beforeAll(() => {
    synth = synthesizeApp({ context: { policyRefreshSeconds: '30' } });
    api = synth.template('api');
    const only = (type: string) => {
      const [id, ...more] = Object.keys(api.findResources(type));
      if (!id || more.length > 0) throw new Error(`expected one ${type}`);
      return id;
    };
    ids = {
      application: only('AWS::AppConfig::Application'),
      environment: only('AWS::AppConfig::Environment'),
      profile: only('AWS::AppConfig::ConfigurationProfile'),
    };
  }, 300_000);
  afterAll(() => synth.remove());

  const describedAs = (description: string): [string, Resource] => {
    const found = (
      Object.entries(api.findResources('AWS::Lambda::Function')) as [string, Resource][]
    ).find(([, fn]) => String(fn.Properties.Description).startsWith(description));
    if (!found) throw new Error(`no function described "${description}"`);
    return found;
  };
  /** The statements of a function's role that name the policy's AppConfig environment. */
  const policyStatements = (fn: Resource): Record<string, any>[] => {
    const roleId = fn.Properties.Role['Fn::GetAtt'][0];
    return (Object.values(api.findResources('AWS::IAM::Policy')) as Resource[])
      .filter((policy) =>
        (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Record<string, any>[])
      .filter((statement) => JSON.stringify(statement.Resource).includes(ids.environment));
  };

  it('deploys the validated policy file through AppConfig, as the canonical JSON of its document, all at once', () => {
    const expected = canonicalJson(
      loadPolicyFile(defaultPolicyFile, 'infra/policy/policy.yaml').document,
    );
    // The argument rules beside the file travel in the same document.
    expect(Object.keys(JSON.parse(expected).cedar)).toEqual(['email.cedar', 'orders.cedar']);

    api.hasResourceProperties('AWS::AppConfig::HostedConfigurationVersion', {
      Content: expected,
      ContentType: 'application/json',
      Description: Match.stringLikeRegexp('infra/policy/policy.yaml \\(version [0-9a-f]{12}\\)'),
    });
    api.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', {
      GrowthFactor: 100,
      DeploymentDurationInMinutes: 0,
      FinalBakeTimeInMinutes: 0,
    });
    api.resourceCountIs('AWS::AppConfig::Deployment', 1);
  });

  it('gives the functions that read the policy its ids, refresh time and a read of that environment only', () => {
    const [, tool] = describedAs('POST /tools/create_order');
    const [, prefetch] = describedAs('Conversation-start prefetch');
    const [, ingest] = describedAs('Writes the audit lines');

    expect(tool.Properties.Environment.Variables).toMatchObject({
      POLICY_APPCONFIG_APPLICATION: { Ref: ids.application },
      POLICY_APPCONFIG_ENVIRONMENT: { Ref: ids.environment },
      POLICY_APPCONFIG_PROFILE: { Ref: ids.profile },
      POLICY_REFRESH_SECONDS: '30',
    });
    expect(prefetch.Properties.Environment.Variables.POLICY_APPCONFIG_PROFILE).toBeDefined();
    const [statement, ...others] = policyStatements(tool);
    expect(others).toEqual([]);
    expect(new Set([statement?.Action].flat())).toEqual(
      new Set(['appconfig:GetLatestConfiguration', 'appconfig:StartConfigurationSession']),
    );
    // The one configuration, not a wildcard over the environment's.
    expect(JSON.stringify(statement?.Resource)).not.toContain('*');
    expect(JSON.stringify(statement?.Resource)).toContain(ids.profile);
    expect(ingest.Properties.Environment.Variables.POLICY_APPCONFIG_PROFILE).toBeUndefined();
    expect(policyStatements(ingest)).toEqual([]);
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

  it("refuses a refresh time under AppConfig's shortest poll interval", () => {
    expect(() =>
      buildApp(testApp(), 'dev', (key) => (key === 'policyRefreshSeconds' ? '5' : undefined)),
    ).toThrow(/policyRefreshSeconds must be a whole number of seconds, at least 15/);
  });
});
