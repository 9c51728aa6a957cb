export * from './rust-app';
export * from './rust-app-project';
