export * from './go-app';
export * from './go-app-project';
