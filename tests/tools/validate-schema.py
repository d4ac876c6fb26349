#!/usr/bin/python3
"""validate-schema.py SCHEMA DOC [DOC...] - validate JSON documents offline.

Every *.json file below SCHEMA's folder is registered under its $id/id
(and that id without a "?..." suffix), so no $ref ever leaves the machine.
Works with Debian 12's python3-jsonschema 4.10 (RefResolver) and with
newer jsonschema + referencing (Registry); adds regex checkers for
date-time and uri where the installed jsonschema has none.  This is the
recipe of shared/data/README.md section 5 as a reusable script.

Exit status: 0 all valid, 1 some invalid (one line per error:
"DOC: /json/pointer: message"), 2 usage or unreadable input.
"""
import glob
import json
import os
import re
import sys


def main(argv):
    if len(argv) < 3:
        sys.stderr.write("usage: validate-schema.py SCHEMA DOC [DOC...]\n")
        return 2
    schema_file, doc_files = argv[1], argv[2:]
    try:
        import jsonschema
    except ImportError:
        sys.stderr.write("validate-schema: python3-jsonschema is not installed\n")
        return 2
    try:
        with open(schema_file, encoding="utf-8") as f:
            schema = json.load(f)
        docs = []
        for doc_file in doc_files:
            with open(doc_file, encoding="utf-8") as f:
                docs.append((doc_file, json.load(f)))
    except (OSError, ValueError) as e:
        sys.stderr.write("validate-schema: %s\n" % e)
        return 2

    store = {}
    folder = os.path.dirname(os.path.abspath(schema_file))
    for path in glob.glob(folder + "/**/*.json", recursive=True):
        try:
            with open(path, encoding="utf-8") as f:
                x = json.load(f)
        except (OSError, ValueError):
            continue
        ident = isinstance(x, dict) and (x.get("$id") or x.get("id"))
        if isinstance(ident, str):
            store[ident] = x
            store[ident.split("?")[0]] = x

    cls = jsonschema.validators.validator_for(schema)
    checker = cls.FORMAT_CHECKER
    patterns = (
        ("date-time", r"\d{4}-\d\d-\d\d[Tt ]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)"),
        ("uri", r"[A-Za-z][A-Za-z0-9+.-]*:\S*"),
    )
    for name, pat in patterns:
        if name not in checker.checkers:
            checker.checks(name)(
                lambda v, p=pat: not isinstance(v, str) or bool(re.fullmatch(p, v)))

    try:
        from referencing import Registry, Resource
        registry = Registry().with_resources(
            (k, Resource.from_contents(x)) for k, x in store.items())
        validator = cls(schema, registry=registry, format_checker=checker)
    except (ImportError, TypeError):
        import jsonschema._validators as V
        # jsonschema 4.10: extras_msg sorts dicts and crashes on 3+ licences
        V.extras_msg = lambda e: (", ".join(map(repr, e)), "was" if len(e) == 1 else "were")
        resolver = jsonschema.RefResolver.from_schema(schema, store=store)
        validator = cls(schema, resolver=resolver, format_checker=checker)

    bad = False
    for doc_file, doc in docs:
        for e in validator.iter_errors(doc):
            bad = True
            print("%s: /%s: %s" % (doc_file, "/".join(map(str, e.absolute_path)), e.message[:300]))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
