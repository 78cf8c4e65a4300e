/**
 * Unit tests sit beside the code they check; test/engine runs the nodes and the example workflows on
 * n8n-core's engine in this process (no server); end-to-end suites live in test/e2e and need a real n8n.
 */
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json' }];

module.exports = {
	// e2e tests wait on real n8n processes; unit tests finish far below this.
	testTimeout: 180000,
	projects: [
		{
			displayName: 'unit',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/nodes/**/*.test.ts', '<rootDir>/credentials/**/*.test.ts', '<rootDir>/test/unit/**/*.test.ts', '<rootDir>/test/engine/**/*.test.ts'],
			moduleNameMapper: { '^sanitize-html$': '<rootDir>/test/engine/harness/nativeSanitizeHtml.js' },
		},
		{
			// `npm run dev` started as a user starts it, then signed in to with the login it prints.
			displayName: 'dev',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/dev/**/*.test.ts'],
		},
		{
			displayName: 'e2e',
			testEnvironment: 'node',
			transform: { '^.+\\.ts$': tsJest },
			testMatch: ['<rootDir>/test/e2e/**/*.e2e.test.ts'],
			globalSetup: '<rootDir>/test/e2e/globalSetup.ts',
			globalTeardown: '<rootDir>/test/e2e/globalTeardown.ts',
		},
	],
};
