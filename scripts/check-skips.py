#!/usr/bin/python3
"""check-skips.py JUNIT_XML VARIANT "ALLOWED ..." - print every test that a
ctest run (--output-junit JUNIT_XML) did not run: skipped (SKIP_RETURN_CODE,
"Not Run"), disabled or missing required files.  Exit 1 when one of them is
not in ALLOWED (space-separated ctest names), or when the report is missing.
Used by scripts/test.sh; tested by tests/e2e/test_skip_check.sh."""
import sys
import xml.etree.ElementTree as ET
path, variant, allowed = sys.argv[1], sys.argv[2], set(sys.argv[3].split())
try:
    cases = list(ET.parse(path).getroot().iter("testcase"))
except (OSError, ET.ParseError) as e:
    print("%s: no ctest report to check for skipped tests (%s)" % (variant, e), file=sys.stderr)
    sys.exit(1)
if not cases:
    print("%s: the ctest report lists no tests" % variant, file=sys.stderr)
    sys.exit(1)
bad = 0
for c in cases:
    if c.get("status") in ("run", "fail"):  # failures are reported by ctest itself
        continue
    sk = c.find("skipped")
    why = sk.get("message") if sk is not None else (c.findtext("system-out") or c.get("status"))
    ok = c.get("name") in allowed
    bad += not ok
    print("%s: skipped%s: %s (%s)" % (variant, " (allowed)" if ok else "", c.get("name"), why),
          file=sys.stderr)
if bad:
    print("%s: %d test(s) skipped that are not on SKIP_ALLOWED in scripts/test.sh" % (variant, bad),
          file=sys.stderr)
sys.exit(1 if bad else 0)
