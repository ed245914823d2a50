#!/usr/bin/env node
// `npm run lint:boundaries`: the import rules of .dependency-cruiser.cjs over the folders that
// package.json's `cardflow.boundaryFolders` lists, then the one rule dependency-cruiser cannot
// state: no import cycle between top-level folders (its `no-circular` sees modules only).
// Run from the repository root (or give the root as the first argument, as the tests do).
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const root = path.resolve(process.argv[2] ?? repo);
const folders = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).cardflow.boundaryFolders;
const depcruise = path.join(repo, 'node_modules', '.bin', 'depcruise');
const config = path.join(repo, '.dependency-cruiser.cjs');
const present = folders.filter((folder) => spawnSync('test', ['-d', path.join(root, folder)]).status === 0);

const rules = spawnSync(depcruise, ['--config', config, ...present], { cwd: root, stdio: 'inherit' });
if (rules.status !== 0) process.exitCode = 1;

const report = JSON.parse(
  execFileSync(depcruise, ['--config', config, '--output-type', 'json', ...present], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  }),
);

// Tests may reach across folders (that is what they are for); the folders' own code may not.
const isTest = (file) => /\.test\.ts$|(^|\/)test\//.test(file);
const folderOf = (file) =>
  file.includes('node_modules/') || !file.includes('/') || isTest(file) ? undefined : file.split('/')[0];
const edges = new Map();
const witness = new Map();
for (const module of report.modules) {
  const from = folderOf(module.source);
  if (!from) continue;
  for (const dependency of module.dependencies) {
    const to = folderOf(dependency.resolved);
    if (!to || to === from) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    if (!witness.has(`${from}>${to}`))
      witness.set(`${from}>${to}`, `${module.source} → ${dependency.resolved}`);
  }
}

// Depth-first search; a back edge closes a cycle.
const state = new Map();
const cycles = [];
function visit(node, trail) {
  state.set(node, 'open');
  for (const next of edges.get(node) ?? []) {
    if (state.get(next) === 'open') cycles.push([...trail.slice(trail.indexOf(next)), next]);
    else if (!state.has(next)) visit(next, [...trail, next]);
  }
  state.set(node, 'done');
}
for (const node of edges.keys()) if (!state.has(node)) visit(node, [node]);

if (cycles.length === 0) {
  console.log(`✔ no import cycle between folders (${edges.size} folders with imports)`);
} else {
  for (const cycle of cycles) {
    console.log(`  error folder-cycle: ${cycle.join(' → ')}`);
    for (let i = 0; i + 1 < cycle.length; i++)
      console.log(`      ${witness.get(`${cycle[i]}>${cycle[i + 1]}`)}`);
  }
  console.log(`\nx ${cycles.length} import cycle(s) between folders`);
  process.exitCode = 1;
}
