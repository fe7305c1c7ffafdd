"""Runs a batch of task arguments through the action plugins' controller
validation (plugins/plugin_utils/argument_validation.py) under the Python
and ansible-core it is started with; parity_test.go compares the verdicts
with the Go modules' own validation.

Usage: validate.py COLLECTIONS_PATH INPUTS.json OUTPUT.json
INPUTS: [{"module": "backends", "args": {...}}, ...]
OUTPUT: [{"ok": true, "params": {...}} | {"ok": false, "msg": "..."}, ...]
"""
import json
import sys


def main():
    collections, inputs, output = sys.argv[1:4]
    sys.path.insert(0, collections)
    from ansible_collections.kolla.glance.plugins.plugin_utils.argument_validation import (
        ArgumentError, validate_args)

    with open(inputs) as f:
        cases = json.load(f)
    verdicts = []
    for case in cases:
        try:
            verdicts.append({"ok": True, "params": validate_args(case["module"], case["args"])})
        except ArgumentError as e:
            verdicts.append({"ok": False, "msg": str(e)})
    with open(output, "w") as f:
        json.dump(verdicts, f)


if __name__ == "__main__":
    main()
