#!/usr/bin/python3
"""harbor_validate.py SPEC.yaml SCHEMA_NAME DOC.json - validate DOC against
components/schemas/SCHEMA_NAME of an OpenAPI 3.0 spec (Harbor's scanner
adapter API), offline, with python3-jsonschema.  Exit 0 valid, 1 invalid
(one line per error), 2 usage or unreadable input."""
import json
import sys

try:
    import jsonschema
    import yaml
except ImportError as e:
    sys.stderr.write("harbor_validate: %s (python3-jsonschema, python3-yaml)\n" % e)
    sys.exit(2)


def main(argv):
    if len(argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    try:
        spec = yaml.safe_load(open(argv[1]))
        doc = json.load(open(argv[3]))
    except Exception as e:
        sys.stderr.write("harbor_validate: %s\n" % e)
        return 2
    if argv[2] not in spec["components"]["schemas"]:
        sys.stderr.write("harbor_validate: no schema %s\n" % argv[2])
        return 2
    schema = {"$ref": "#/components/schemas/" + argv[2], "components": spec["components"]}
    v = jsonschema.Draft7Validator(schema)
    errors = sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))
    for e in errors:
        print("%s: /%s: %s" % (argv[3], "/".join(str(p) for p in e.absolute_path), e.message))
    return 1 if errors else 0


sys.exit(main(sys.argv))
