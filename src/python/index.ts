export * from './python-app-options';
export * from './poetry-app';
export * from './poetry-app-project';
export * from './python-library';
