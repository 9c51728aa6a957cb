export * from './projenrc-toolchain';
