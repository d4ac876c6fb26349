// version_ref_node_range.js SEMVER_MODULE_DIR < lines > results
// node-semver's Range as the reference for 'VERSION<TAB>RANGE' lines:
// 'yes'/'no' from Range.test(), '!' when the version (strict) or the
// range does not parse.
'use strict'
const semver = require(process.argv[2])
const lines = require('fs').readFileSync(0, 'utf8').split('\n')
if (lines.length && lines[lines.length - 1] === '') lines.pop()
const out = lines.map((line) => {
  const i = line.indexOf('\t')
  const v = line.slice(0, i)
  const r = line.slice(i + 1)
  if (semver.valid(v) === null) return '!'
  let range
  try {
    range = new semver.Range(r)
  } catch (e) {
    return '!'
  }
  return range.test(v) ? 'yes' : 'no'
})
process.stdout.write(out.join('\n') + (out.length ? '\n' : ''))
