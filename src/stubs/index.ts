export * from './stub-templates';
export * from './stub-record';
