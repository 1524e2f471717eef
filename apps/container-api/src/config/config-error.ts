// A configuration value the service cannot run with: the process stops with its message.
export class ConfigError extends Error {}
