/// <reference types="vite/client" />

// The atlas is large: typing it as unknown keeps the compiler from inferring its whole shape.
declare module 'world-atlas/countries-50m.json' {
  const topology: unknown;
  export default topology;
}
