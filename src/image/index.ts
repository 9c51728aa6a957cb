export * from './runtime-user';
export * from './container-image';
