export * from './dockerfile';
export * from './image';
export * from './stubs';
export * from './project';
export * from './python';
export * from './go';
export * from './node';
export * from './org';
