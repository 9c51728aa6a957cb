export * from './compose-file';
export * from './bake-file';
export * from './images-workflow';
export * from './workspace-project';
