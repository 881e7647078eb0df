// Runs graphql-http's GraphQL-over-HTTP conformance audit against a server and prints the results as JSON.
// Usage: node tests/graphql_audit.mjs http://127.0.0.1:8000/graphql
// Output: [{"id", "name", "status": "ok" | "notice" | "warn" | "error", "reason"?, "response"?}, ...]
// A name starts with MUST, SHOULD or MAY; a failed MUST is an "error", a failed SHOULD a "warn".
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  process.stderr.write('usage: node tests/graphql_audit.mjs URL\n');
  process.exit(2);
}

async function describe(response) {
  let body = null;
  try {
    body = await response.text();
  } catch {
    body = '(body already read by the audit)';
  }
  return { status: response.status, headers: Object.fromEntries(response.headers), body };
}

const results = await auditServer({ url });
const report = [];
for (const result of results) {
  const item = { id: result.id, name: result.name, status: result.status };
  if (result.status !== 'ok') {
    item.reason = result.reason;
    item.response = await describe(result.response);
  }
  report.push(item);
}
process.stdout.write(JSON.stringify(report, null, 2) + '\n');
