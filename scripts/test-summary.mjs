// vitest prints no "N passed, N failed" line; CI reads one to know tests ran.
// The failed tests' names and messages come just before it, so the end of a
// long log says what failed without scrolling back through it.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const MAX_MESSAGE_LINES = 20;

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const failures = [];
for (const file of report.testResults ?? []) {
  const name = relative(process.cwd(), file.name);
  const failedTests = (file.assertionResults ?? []).filter((t) => t.status === 'failed');
  for (const test of failedTests) failures.push({ name: `${name} › ${test.fullName}`, message: (test.failureMessages ?? []).join('\n') });
  // A file that failed outside any test (an import error, a failing beforeAll).
  if (file.status === 'failed' && failedTests.length === 0) failures.push({ name, message: file.message ?? '' });
}
if (failures.length > 0) {
  console.log(`\nFailed (${failures.length}):`);
  for (const { name, message } of failures) {
    console.log(`✗ ${name}`);
    // Stack frames inside node_modules (the test runner) say nothing about the failure.
    const lines = message.trim().split('\n').filter((line) => !/^\s+at .*node_modules/.test(line));
    for (const line of lines.slice(0, MAX_MESSAGE_LINES)) console.log(`    ${line}`);
    if (lines.length > MAX_MESSAGE_LINES) console.log(`    … ${lines.length - MAX_MESSAGE_LINES} more lines`);
  }
  console.log('');
}
const skipped = report.numPendingTests + report.numTodoTests;
const failedFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((t) => t.status === 'failed')).length;
console.log(`${report.numPassedTests} passed, ${report.numFailedTests + failedFiles} failed, ${skipped} skipped`);
if (report.numTotalTests === 0) {
  console.error('no test ran');
  process.exit(1);
}
