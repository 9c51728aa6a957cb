export * from './stub-templates';
