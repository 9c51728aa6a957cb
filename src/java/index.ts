export * from './java-app';
export * from './java-app-project';
