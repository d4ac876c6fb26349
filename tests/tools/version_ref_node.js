// version_ref_node.js SEMVER_MODULE_DIR < pairs.tsv > results
// node-semver (strict) as the reference: '<', '=', '>' per 'A<TAB>B' line,
// '!' when semver.valid() rejects a version.
'use strict'
const semver = require(process.argv[2])
const lines = require('fs').readFileSync(0, 'utf8').split('\n')
if (lines.length && lines[lines.length - 1] === '') lines.pop()
const out = lines.map((line) => {
  const i = line.indexOf('\t')
  const a = line.slice(0, i)
  const b = line.slice(i + 1)
  if (semver.valid(a) === null || semver.valid(b) === null) return '!'
  return '<=>'[semver.compare(a, b) + 1]
})
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
