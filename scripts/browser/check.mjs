// Drives a real headless Chromium through a live Skillpath server, as a
// newcomer would: GraphiQL runs its welcome query (a login), then the
// invitation link from a received mail sets a password.
//
//   node check.mjs <base URL> <invitation link> <new password>
//
// CHROMIUM (default /usr/bin/chromium) names the browser. Prints one line
// per step; exits non-zero at the first step that does not happen.

import { chromium } from 'playwright-core';

const [base, invitation, password] = process.argv.slice(2);
if (!base || !invitation || !password) {
  console.error('usage: node check.mjs <base URL> <invitation link> <new password>');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // Containers run as root, where Chromium's sandbox cannot start.
  args: ['--no-sandbox'],
});
try {
  const page = await browser.newPage();
  const failed = [];
  page.on('requestfailed', (r) => failed.push(r.url()));

  // GraphiQL: everything it needs is served by Skillpath itself.
  await page.goto(`${base}/graphiql`);
  await page.locator('.graphiql-query-editor').waitFor({ timeout: 30_000 });
  await page.locator('.graphiql-execute-button').click();
  const response = page.locator('.graphiql-response');
  await response.getByText('accessToken').waitFor({ timeout: 30_000 });
  const answer = await response.innerText();
  if (!answer.includes('"role": "ADMIN"')) throw new Error(`GraphiQL answered: ${answer}`);
  if (failed.length) throw new Error(`requests failed: ${failed.join(', ')}`);
  console.log('graphiql: the welcome query logged in');

  // The invitation page, opened from the link in the mail.
  await page.goto(invitation);
  await page.locator('#password').fill(password);
  await page.locator('#confirm').fill(password);
  await page.locator('#submit').click();
  const message = page.locator('#message');
  await message.getByText('Your account is ready').waitFor({ timeout: 30_000 });
  console.log(`invitation: ${await message.innerText()}`);
} finally {
  await browser.close();
}
