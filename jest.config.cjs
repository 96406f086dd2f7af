/** Jest with ts-jest; sources use NodeNext-style ".js" import suffixes. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/spec"],
  testMatch: ["**/*.spec.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.jest.json" }],
  },
  moduleNameMapper: {
    // The docs' examples (spec/doc-examples.spec.ts) import the package by name.
    "^rx-asyncio$": "<rootDir>/src/index.ts",
    "^rx-asyncio/bullmq$": "<rootDir>/src/bullmq/index.ts",
    "^(\\.{1,2}/.*)\\.js$": "$1",
  },
  testTimeout: 30000,
};
