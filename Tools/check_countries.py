#!/usr/bin/env python3
"""Compare the country table in Sources/Geo/Countries+Data.swift with Debian's iso-codes.

Checks that every ISO 3166-1 alpha-2 code is in the table with the same alpha-3 and numeric code,
that the only extra code is XK (Kosovo, user-assigned), and that the table is sorted by code.
With --names, also lists where the table's English name differs from the iso-codes name.

Usage: Tools/check_countries.py [--names] [path/to/iso_3166-1.json]
Exits 1 when a check fails.
"""
import json
import pathlib
import re
import sys

DEFAULT_ISO = "/usr/share/iso-codes/json/iso_3166-1.json"
TABLE = pathlib.Path(__file__).resolve().parent.parent / "Sources/Geo/Countries+Data.swift"
ROW = re.compile(r'^\s*c\("([A-Z]{2})", "([A-Z]{3})", (\d+), "([^"]*)",')
USER_ASSIGNED = {"XK"}


def main(argv):
    show_names = "--names" in argv
    paths = [a for a in argv if not a.startswith("--")]
    iso_path = paths[0] if paths else DEFAULT_ISO

    iso = {e["alpha_2"]: e for e in json.load(open(iso_path, encoding="utf-8"))["3166-1"]}
    rows = [m.groups() for m in map(ROW.match, TABLE.read_text(encoding="utf-8").splitlines()) if m]
    table = {code: (alpha3, int(numeric), name) for code, alpha3, numeric, name in rows}

    problems = []
    if len(table) != len(rows):
        problems.append("duplicate codes in the table")
    if [r[0] for r in rows] != sorted(r[0] for r in rows):
        problems.append("table is not sorted by code")
    for code in sorted(set(iso) - set(table)):
        problems.append(f"missing {code} ({iso[code]['name']})")
    for code in sorted(set(table) - set(iso) - USER_ASSIGNED):
        problems.append(f"{code} is not an ISO 3166-1 code")
    for code in sorted(set(iso) & set(table)):
        alpha3, numeric, name = table[code]
        if alpha3 != iso[code]["alpha_3"]:
            problems.append(f"{code}: alpha-3 {alpha3}, ISO has {iso[code]['alpha_3']}")
        if numeric != int(iso[code]["numeric"]):
            problems.append(f"{code}: numeric {numeric}, ISO has {iso[code]['numeric']}")
        if show_names and name not in (iso[code]["name"], iso[code].get("common_name")):
            print(f"name {code}: {name!r} (iso-codes: {iso[code].get('common_name', iso[code]['name'])!r})")

    for p in problems:
        print(p)
    print(f"{len(table)} rows, {len(iso)} ISO codes: {'FAILED' if problems else 'ok'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
