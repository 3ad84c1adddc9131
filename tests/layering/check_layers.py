#!/usr/bin/env python3
"""check_layers.py BUILD_DIR — proves that the build enforces the layering rule.

For each layer it takes the real compile command meson uses for one of the layer's own sources
(compile_commands.json), swaps the source for a probe that includes one public header of another
layer, and compiles it with -fsyntax-only. The probe must compile exactly when the other layer is
the same layer or one beneath it (../shared/DESIGN.md, "Layering rule"; src/meson.build):

    util <- model <- demo;  util <- http;  model <- store <- service <- api <- cli;  http <- api

So an include that points up, or sideways into a layer the build does not give, fails to compile.
Exit status 0 when every probe behaves, 1 otherwise (each wrong one is printed).
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile

HEADER = {
    "util": "gapforge/err.h",
    "http": "gapforge/http.h",
    "model": "gapforge/model.h",
    "demo": "gapforge/demo.h",
    "store": "gapforge/store.h",
    "service": "gapforge/service.h",
    "api": "gapforge/api.h",
    "cli": "gapforge/cli.h",
}
BENEATH = {
    "util": set(),
    "http": {"util"},
    "model": {"util"},
    "demo": {"util", "model"},
    "store": {"util", "model"},
    "service": {"util", "model", "demo", "store"},
    "api": {"util", "http", "store", "service"},
    "cli": {"util", "http", "model", "demo", "store", "service", "api"},
}


def command_for(commands, layer):
    """The compile command (argv) of one source file of src/<layer>/."""
    for c in commands:
        path = os.path.normpath(os.path.join(c["directory"], c["file"]))
        if f"{os.sep}src{os.sep}{layer}{os.sep}" in path and path.endswith(".c"):
            argv = c.get("arguments") or shlex.split(c["command"])
            return c["directory"], argv, c["file"]
    return None


def probe(directory, argv, source, header, tmp):
    """Compiles a file including header with the source's command; True when it compiles."""
    test = os.path.join(tmp, "probe.c")
    with open(test, "w", encoding="utf-8") as f:
        f.write(f'#include "{header}"\nint gf_layer_probe(void);\nint gf_layer_probe(void) {{ return 0; }}\n')
    out, skip = [], False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MQ", "-MT"):
            skip = True
            continue
        if a in ("-c", "-MD", "-MMD") or a == source or a.endswith(os.sep + os.path.basename(source)):
            continue
        out.append(a)
    out += ["-fsyntax-only", test]
    r = subprocess.run(out, cwd=directory, capture_output=True, text=True)
    return r.returncode == 0


def main():
    build = sys.argv[1]
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        commands = json.load(f)
    wrong = 0
    checked = 0
    with tempfile.TemporaryDirectory() as tmp:
        for layer in HEADER:
            found = command_for(commands, layer)
            if not found:
                print(f"no compile command for a source of src/{layer}")
                wrong += 1
                continue
            directory, argv, source = found
            for other, header in HEADER.items():
                want = other == layer or other in BENEATH[layer]
                got = probe(directory, argv, source, header, tmp)
                checked += 1
                if got != want:
                    wrong += 1
                    verb = "compiles" if got else "fails"
                    print(f"src/{layer} including {header} ({other}) {verb}, expected the opposite")
    print(f"{checked} probes, {wrong} wrong")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
