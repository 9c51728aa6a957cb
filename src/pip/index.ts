export * from './pip-app';
export * from './pip-app-project';
