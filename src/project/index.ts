export * from './projenrc-toolchain';
export * from './app-project';
