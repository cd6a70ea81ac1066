export * from './types.ts';
export * from './policy.ts';
export * from './messages.ts';
export * from './catalog.ts';
export * from './scale.ts';
export * from './random.ts';
export * from './chooser.ts';
