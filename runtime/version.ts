// The one place the runtime's version lives; the CLI and the HELLO capabilities read it.
export const VERSION = '0.1.0';
