export * from './go-app';
export * from './go-app-project';
export * from './go-library';
