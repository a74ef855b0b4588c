#!/usr/bin/env node
// Runs the tap suite and ends with one summary line, `N passed, N failed`, counting the
// named tests of each file (a file that fails outside any named test counts as one failure).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const files = process.argv.slice(2);
const args = ['tap', '--reporter=tap', ...(files.length ? files : ['test'])];
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'] });

let passed = 0;
let failed = 0;
let namedInFile = 0;
const subtest = /^ {4}(not )?ok \d+ - /;
const fileResult = /^(not )?ok \d+ - /;

createInterface({ input: child.stdout }).on('line', (line) => {
  process.stdout.write(line + '\n');
  const sub = subtest.exec(line);
  if (sub && !line.includes('# SKIP')) {
    namedInFile++;
    if (sub[1]) failed++;
    else passed++;
    return;
  }
  const file = fileResult.exec(line);
  if (file) {
    if (file[1] && namedInFile === 0) failed++;
    namedInFile = 0;
  }
});

child.on('close', (code) => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code ?? 1);
});
