export * from './node-app';
export * from './node-app-project';
export * from './typescript-library';
