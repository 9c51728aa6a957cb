export * from './poetry-app';
export * from './poetry-app-project';
export * from './python-library';
