// sanitize-html (used by n8n-nodes-base's form helpers, which the Slack and Teams nodes load) depends on
// htmlparser2, an ES module that Node 20 loads through require() but jest's module runtime cannot. This
// hands the import to Node's own loader, so the same package runs as it does inside n8n.
const { createRequire } = require('module');

module.exports = createRequire(require.resolve('n8n-nodes-base/package.json'))('sanitize-html');
