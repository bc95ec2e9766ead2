/** Logger surface a tool, a connector or a webhook subscriber may use; the runtime passes Powertools' logger. */
export type ToolLogger = {
  debug(message: string, ...extra: unknown[]): void;
  info(message: string, ...extra: unknown[]): void;
  warn(message: string, ...extra: unknown[]): void;
  error(message: string, ...extra: unknown[]): void;
};
