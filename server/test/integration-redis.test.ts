import { defineIntegrationSuite } from './integration-suite.ts';

// Needs a Redis at REDIS_URL (default redis://127.0.0.1:6379); keys get a prefix of their own and are deleted afterwards.
defineIntegrationSuite('redis');
