// No globalSetup here: these suites start and stop the servers themselves, which is what they test.
module.exports = { ...require('../../jest.preset.js') };
