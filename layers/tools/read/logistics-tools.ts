import deliveryExceptions from '../../systems/logistics/tools/get-delivery-exceptions.json' with {
  type: 'json',
};
import shipmentTracking from '../../systems/logistics/tools/get-shipment-tracking.json' with {
  type: 'json',
};
import { sqlTool } from '../sql-tool.ts';

/** The logistics database's SQL tools, each declared as data in layers/systems/logistics/tools/. */
export const getShipmentTracking = sqlTool(
  shipmentTracking,
  'layers/systems/logistics/tools/get-shipment-tracking.json',
);
export const getDeliveryExceptions = sqlTool(
  deliveryExceptions,
  'layers/systems/logistics/tools/get-delivery-exceptions.json',
);
