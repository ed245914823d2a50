// The package's entry point at run time: the host as the repository's build compiles it
// (`npm run build` emits runtime/ into dist/runtime/). Under jest, and for type checking, the
// package name maps to the TypeScript sources instead (jest.config.js, tsconfig.json `paths`).
module.exports = require('../dist/runtime/index.js');
