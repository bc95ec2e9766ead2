import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { StateMachine } from 'aws-local-stepfunctions';

export type TaskHandler = (input: unknown) => Promise<unknown>;

export interface LocalStateMachine {
  arn: string;
  definition: Record<string, unknown>;
  /** Runs a task state: receives the state's effective input (the Lambda payload). */
  invoke: TaskHandler;
}

export interface LocalExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  startDate: number;
  stopDate?: number;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  done: Promise<void>;
}

export interface LocalStepFunctions {
  endpoint: string;
  executions: Map<string, LocalExecution>;
  /** Resolves when every execution started so far has ended. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const taskStates = (definition: Record<string, unknown>): string[] =>
  Object.entries((definition.States ?? {}) as Record<string, { Type?: string }>)
    .filter(([, state]) => state.Type === 'Task')
    .map(([name]) => name);

/**
 * A local Step Functions endpoint for the AWS SDK (AWS JSON 1.0: StartExecution,
 * DescribeExecution), running the CDK-generated definitions with aws-local-stepfunctions and
 * binding every task state to the local step handler. Execution names are unique per state
 * machine, as on AWS: a second start answers `ExecutionAlreadyExists`.
 */
export async function startLocalStepFunctions(options: {
  machines: readonly LocalStateMachine[];
  /** Overrides every Retry pause (ms), e.g. to run sagas fast in tests. */
  retryIntervalMs?: number;
  onError?: (error: unknown) => void;
}): Promise<LocalStepFunctions> {
  const machines = new Map(
    options.machines.map((machine) => [
      machine.arn,
      {
        ...machine,
        engine: new StateMachine(machine.definition as never, {
          validationOptions: { checkArn: false, checkPaths: false },
        }),
      },
    ]),
  );
  const executions = new Map<string, LocalExecution>();

  const start = (body: { stateMachineArn?: string; name?: string; input?: string }) => {
    const machine = machines.get(body.stateMachineArn ?? '');
    if (!machine)
      return {
        status: 400,
        body: {
          __type: 'StateMachineDoesNotExist',
          message: `State Machine Does Not Exist: '${body.stateMachineArn}'`,
        },
      };
    const name = body.name ?? randomUUID();
    const executionArn = `${machine.arn.replace(':stateMachine:', ':execution:')}:${name}`;
    if (executions.has(executionArn)) {
      return {
        status: 400,
        body: {
          __type: 'ExecutionAlreadyExists',
          message: `Execution Already Exists: '${executionArn}'`,
        },
      };
    }
    const handlers = Object.fromEntries(
      taskStates(machine.definition).map((state) => [state, machine.invoke]),
    );
    const retryOverrides =
      options.retryIntervalMs === undefined
        ? undefined
        : Object.fromEntries(
            taskStates(machine.definition).map((state) => [
              state,
              options.retryIntervalMs as number,
            ]),
          );
    const input = body.input ?? '{}';
    const execution: LocalExecution = {
      executionArn,
      stateMachineArn: machine.arn,
      name,
      status: 'RUNNING',
      startDate: Date.now() / 1000,
      input,
      done: Promise.resolve(),
    };
    const run = machine.engine.run(JSON.parse(input), {
      overrides: {
        taskResourceLocalHandlers: handlers as never,
        ...(retryOverrides ? { retryIntervalOverrides: retryOverrides } : {}),
      },
    });
    execution.done = run.result.then(
      (output: unknown) => {
        execution.status = 'SUCCEEDED';
        execution.output = JSON.stringify(output);
        execution.stopDate = Date.now() / 1000;
      },
      (error: unknown) => {
        execution.status = 'FAILED';
        // aws-local-stepfunctions wraps the state's error (e.g. a Fail state's) in ExecutionError.
        const original = ((error as { cause?: unknown }).cause ?? error) as {
          name?: string;
          message?: string;
        };
        execution.error = original.name ?? 'Error';
        execution.cause = original.message ?? '';
        execution.stopDate = Date.now() / 1000;
        options.onError?.(error);
      },
    );
    executions.set(executionArn, execution);
    return { status: 200, body: { executionArn, startDate: execution.startDate } };
  };

  const describe = (body: { executionArn?: string }) => {
    const execution = executions.get(body.executionArn ?? '');
    if (!execution)
      return {
        status: 400,
        body: { __type: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist' },
      };
    const { done: _done, ...view } = execution;
    return { status: 200, body: view };
  };

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    let reply: { status: number; body: unknown };
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (target.endsWith('.StartExecution')) reply = start(body);
      else if (target.endsWith('.DescribeExecution')) reply = describe(body);
      else
        reply = {
          status: 400,
          body: { __type: 'UnknownOperationException', message: `Not emulated: ${target}` },
        };
    } catch (error) {
      reply = {
        status: 400,
        body: { __type: 'InvalidExecutionInput', message: (error as Error).message },
      };
    }
    res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    executions,
    async idle() {
      let pending = [...executions.values()].filter((execution) => execution.status === 'RUNNING');
      while (pending.length > 0) {
        await Promise.all(pending.map((execution) => execution.done));
        pending = [...executions.values()].filter((execution) => execution.status === 'RUNNING');
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
