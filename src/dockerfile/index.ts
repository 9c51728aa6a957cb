export * from './base-image';
export * from './instruction';
export * from './stage';
export * from './dockerfile';
export * from './lint';
