export * from './projenrc-toolchain';
export * from './app-project';
export * from './drift-check';
