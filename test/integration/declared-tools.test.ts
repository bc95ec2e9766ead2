import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalHarness, startLocalHarness } from '#test/helpers/local-mode.ts';
import { connectMcp } from '#test/helpers/mcp-client.ts';
import { proposeAndConfirm, sandboxCalls, waitForOperation } from '#test/helpers/operations.ts';

const fay = { sub: 'fay', roles: ['facilities'] };
const ana = { sub: 'ana', roles: ['support'] };

describe('tools declared from the facilities OpenAPI spec, in local mode', () => {
  let local: LocalHarness;
  let facilities: string;

  beforeAll(async () => {
    local = await startLocalHarness({}, { sagaRetryIntervalMs: 5, writeQueueVisibilitySeconds: 1 });
    facilities = local.sandboxes.facilities;
  });
  afterAll(() => local.stop());

  it('lists them to a role granted their system, and not to others', async () => {
    const granted = await local.call('GET', '/tools', { as: fay });
    const names = granted.body.tools.map((tool: { name: string }) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['list_assets', 'get_asset', 'asset_exists', 'create_work_order']),
    );
    const descriptor = granted.body.tools.find(
      (tool: { name: string }) => tool.name === 'get_asset',
    );
    expect(descriptor).toMatchObject({ risk: 'read', systems: ['facilities'] });
    expect(descriptor.inputSchema.required).toEqual(['asset_id']);
    const other = await local.call('GET', '/tools', { as: ana });
    expect(other.body.tools.map((tool: { name: string }) => tool.name)).not.toContain('get_asset');
  });

  it('answers a GET tool over REST with the checked upstream answer', async () => {
    const res = await local.call('POST', '/tools/list_assets', {
      as: fay,
      body: { customer_number: 'C-00001', per_page: 2 },
    });
    expect(res.status).toBe(200);
    expect(res.body.data.data).toHaveLength(2);
    expect(res.body.data.data[0].customer_number).toBe('C-00001');
    const assetId = res.body.data.data[0].asset_id as string;
    const one = await local.call('POST', '/tools/get_asset', {
      as: fay,
      body: { asset_id: assetId },
    });
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({ asset_id: assetId, customer_number: 'C-00001' });
    // The gateway sent the API key header the spec declares, with its request id.
    const calls = await sandboxCalls(facilities, 'assets.get');
    expect(calls.at(-1)).toMatchObject({ status: 200, requestId: one.body.meta.requestId });
  });

  it('answers a HEAD tool with found true or false', async () => {
    const listed = await local.call('POST', '/tools/list_assets', {
      as: fay,
      body: { customer_number: 'C-00007' },
    });
    const assetId = listed.body.data.data[0].asset_id as string;
    const found = await local.call('POST', '/tools/asset_exists', {
      as: fay,
      body: { asset_id: assetId },
    });
    expect(found.body.data).toEqual({ found: true });
    const missing = await local.call('POST', '/tools/asset_exists', {
      as: fay,
      body: { asset_id: 'AST-999999-9' },
    });
    expect(missing.body.data).toEqual({ found: false });
  });

  it('refuses input the spec does not allow with 400 naming the field', async () => {
    const res = await local.call('POST', '/tools/get_asset', {
      as: fay,
      body: { asset_id: 'nope' },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('asset_id');
  });

  it('answers 404 for a record the system does not have', async () => {
    const res = await local.call('POST', '/tools/get_asset', {
      as: fay,
      body: { asset_id: 'AST-999999-9' },
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('upstream_not_found');
  });

  it('calls a read tool over MCP', async () => {
    const client = await connectMcp(local, fay);
    try {
      const result = (await client.callTool({
        name: 'list_assets',
        arguments: { customer_number: 'C-00021', per_page: 1 },
      })) as { isError?: boolean; structuredContent?: { data: unknown[]; total: number } };
      expect(result.isError).toBeFalsy();
      expect(result.structuredContent?.data).toHaveLength(1);
      expect(result.structuredContent?.total).toBeGreaterThan(0);
    } finally {
      await client.close();
    }
  });

  it('proposes a POST write with the request it will send, then sends it once confirmed by a person', async () => {
    const listed = await local.call('POST', '/tools/list_assets', {
      as: fay,
      body: { customer_number: 'C-00001', status: 'in_service', per_page: 1 },
    });
    const assetId = listed.body.data.data[0].asset_id as string;
    const body = {
      asset_id: assetId,
      kind: 'repair',
      description: 'The handle is bent and it will not lift.',
    };
    const proposal = await local.call('POST', '/tools/create_work_order', {
      as: fay,
      body: { body },
    });
    expect(proposal.status).toBe(202);
    expect(proposal.body.confirmation.preview.details.request).toEqual({
      method: 'POST',
      path: '/v2/work-orders',
      // The input schema's default, as the system would apply it.
      body: { ...body, priority: 'normal' },
    });
    expect(await sandboxCalls(facilities, 'workOrders.create')).toHaveLength(0);
    // An agent's token cannot confirm: person-confirmed by default.
    const byAgent = await local.call('POST', `/confirmations/${proposal.body.confirmation.id}`, {
      as: fay,
    });
    expect(byAgent.status).toBe(403);

    const { operationId } = await proposeAndConfirm(local, 'create_work_order', { body }, fay);
    const operation = await waitForOperation(local, operationId, fay);
    expect(operation.status).toBe('succeeded');
    expect(operation.result).toMatchObject({ asset_id: assetId, status: 'open', kind: 'repair' });
    const orders = await local.call('POST', '/tools/list_asset_work_orders', {
      as: fay,
      body: { asset_id: assetId },
    });
    expect(
      orders.body.data.data.map((order: { work_order_id: string }) => order.work_order_id),
    ).toContain(operation.result.work_order_id);
  });
});
