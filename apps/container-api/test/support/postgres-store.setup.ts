// Jest setupFiles entry of jest.postgres.config.js: puts every app the harness starts on a fresh
// PostgreSQL database (see test-app.ts) instead of a SQLite file.
process.env.E2E_STORE = 'postgres';
