export * from './poetry-app';
export * from './poetry-app-project';
