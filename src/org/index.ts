export * from './policy';
export * from './policies';
