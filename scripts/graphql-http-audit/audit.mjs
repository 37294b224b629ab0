// Runs the audits of the GraphQL-over-HTTP spec (graphql-http's
// serverAudits) against the URL given as the first argument. Prints one line
// per audit; exits 1 if any MUST (error) or SHOULD (warn) audit is not ok.
// MAY audits (notice) are printed but do not fail the run.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://127.0.0.1:PORT/graphql');
  process.exit(2);
}
let failed = 0;
let passed = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    passed += 1;
    console.log(`ok    ${audit.name}`);
  } else if (result.status === 'notice') {
    console.log(`may   ${audit.name}: ${result.reason}`);
  } else {
    failed += 1;
    console.log(`${result.status.padEnd(5)} ${audit.name}: ${result.reason}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
