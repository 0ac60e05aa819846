// What globalSetup handed to the test files.
export function testEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\` (jest's globalSetup sets it)`);
  return value;
}
