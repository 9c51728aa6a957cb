export * from './runtime-user';
export * from './container-image';
export * from './language-version';
export * from './app-component';
export * from './library-component';
