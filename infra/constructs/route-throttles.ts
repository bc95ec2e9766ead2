import { Stack } from 'aws-cdk-lib';
import {
  type CfnRoute,
  type CfnStage,
  type HttpApi,
  HttpRoute,
} from 'aws-cdk-lib/aws-apigatewayv2';
import type { IConstruct } from 'constructs';
import type { Throttle } from '../config/stage-config.ts';

/** A route of the API as CloudFormation sees it. */
export interface ApiRoute {
  /** `POST /tools/{name}`, as in route settings. */
  readonly key: string;
  /** `NONE` for a route without the JWT authorizer. */
  readonly authorizationType: string;
  readonly resource: CfnRoute;
}

/** Every route added to the API so far, those of its nested stacks (the tools') included. */
export function routesOf(api: HttpApi): ApiRoute[] {
  return Stack.of(api)
    .node.findAll()
    .filter((child): child is HttpRoute => child instanceof HttpRoute && child.httpApi === api)
    .map((route) => {
      const resource = route.node.defaultChild as CfnRoute;
      return {
        key: resource.routeKey,
        authorizationType: resource.authorizationType ?? 'NONE',
        resource,
      };
    });
}

/**
 * Throttles single routes of a stage, below its default. The stage depends on every route it names:
 * API Gateway refuses a setting for a route it does not have yet ("Unable to find Route by key"),
 * and without the dependency CloudFormation may create the stage first. Call it once every route
 * exists; a setting that names no route fails the synth.
 *
 * @example
 * throttleRoutes(stage, api, new Map([['POST /tools/create_order', { rateLimit: 10, burstLimit: 20 }]]));
 */
export function throttleRoutes(
  stage: IConstruct,
  api: HttpApi,
  throttles: ReadonlyMap<string, Throttle>,
): void {
  const routes = new Map(routesOf(api).map((route) => [route.key, route.resource]));
  const unknown = [...throttles.keys()].filter((key) => !routes.has(key));
  if (unknown.length > 0)
    throw new Error(`Route throttles name routes the API does not have: ${unknown.join(', ')}`);
  const resource = stage.node.defaultChild as CfnStage;
  resource.routeSettings = Object.fromEntries(
    [...throttles].map(([key, limits]) => [
      key,
      { ThrottlingRateLimit: limits.rateLimit, ThrottlingBurstLimit: limits.burstLimit },
    ]),
  );
  for (const key of throttles.keys()) {
    const route = routes.get(key);
    if (route) stage.node.addDependency(route);
  }
}
