#!/usr/bin/env python3
"""Validity checks for tests/eval/vendor_eval.csv (Python 3 standard library only).

Usage:  python3 tests/eval/check_vendor_eval.py [--list-dir DIR] [--csv FILE] [--review]

Checks (exit status 1 if any ERROR):
  * header, unique case_id, expected in {listed, unlisted}
  * ISIN check digit (ISO 6166) unless the note carries `bad-check-digit`
    (at most MAX_BAD such rows, listed rows only, and the value must be the list's own)
  * CUSIP check digit; a US/CA ISIN and a CUSIP on the same row must agree
  * listed rows: entity_id is a CMIC-EO13959 entry; any `alt-entity=<id>` too;
    ISIN is on that entity's entry or the note says `isin-not-on-list (issuer-level)`;
    the ticker's code is on the entry or the note carries `ticker-not-on-list`
  * unlisted rows: no entity_id; ISIN appears nowhere in the list files;
    name does not normalise to a CMIC name/alias/issuer name (unless
    `hard-same-name-other-entity` or `hard-near-identical-name`); a ticker code equal to a listed code needs
    a collision tag
  * every CMIC entity covered by >= MIN_PER_ENTITY listed rows
  * counts: rows, listed (>= 150), unlisted (>= 110), notation tags used
--review prints, for each unlisted row, the CMIC entries that share a
distinctive name token, for a human to confirm the label.
"""
import argparse
import collections
import csv
import io
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CSV = os.path.join(HERE, "vendor_eval.csv")
DEFAULT_LIST = os.path.normpath(
    os.path.join(HERE, "..", "..", "..", "shared", "data", "ofac", "cons-2025-12"))
HEADER = ["case_id", "expected", "entity_id", "name", "isin", "cusip",
          "ticker", "exchange", "country", "note"]
PROGRAM = "CMIC-EO13959"
MIN_LISTED, MIN_UNLISTED, MIN_PER_ENTITY, MAX_BAD = 150, 110, 2, 5
COLLISION_TAGS = {"hard-ticker-collision", "hard-zero-stripped-collision",
                  "hard-recycled-code"}

errors, warnings = [], []


def err(msg):
    errors.append(msg)


# ---------------------------------------------------------------- identifiers
def isin_valid(s):
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", s):
        return False
    digits = "".join(str(int(c, 36)) for c in s[:-1])
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return (10 - total % 10) % 10 == int(s[-1])


def cusip_valid(s):
    if not re.fullmatch(r"[0-9A-Z*@#]{8}[0-9]", s):
        return False
    total = 0
    for i, c in enumerate(s[:8]):
        if c.isdigit():
            v = int(c)
        elif c.isalpha():
            v = ord(c) - 55
        else:
            v = {"*": 36, "@": 37, "#": 38}[c]
        if i % 2 == 1:
            v *= 2
        total += v // 10 + v % 10
    return (10 - total % 10) % 10 == int(s[8])


def ticker_code(t):
    """Local code of a ticker in any notation used in the file, leading zeros stripped."""
    t = t.strip()
    if not t:
        return ""
    t = re.sub(r"\s+Equity$", "", t, flags=re.I)
    m = re.fullmatch(r"(?i)(SH|SZ)(\d{6})", t)
    if m:
        t = m.group(2)
    t = re.split(r"[.\s]", t)[0]
    m = re.fullmatch(r"(\d+)(CN|HK)", t)        # OFAC '603019CN'
    if m:
        t = m.group(1)
    t = t.upper()
    if t.isdigit():
        return t.lstrip("0") or "0"
    return t


# ---------------------------------------------------------------- list data
def read_ofac(path):
    raw = open(path, "rb").read().rstrip(b"\x1a").decode("latin-1")
    return list(csv.reader(io.StringIO(raw)))


def load_list(d):
    prim = read_ofac(os.path.join(d, "cons_prim.csv"))
    comments = {r[0]: r[1] for r in read_ofac(os.path.join(d, "cons_comments.csv")) if len(r) > 1}
    alts = collections.defaultdict(list)
    for r in read_ofac(os.path.join(d, "cons_alt.csv")):
        if len(r) > 3:
            alts[r[0]].append(r[3])
    all_text = ""
    for f in ("cons_prim.csv", "cons_alt.csv", "cons_comments.csv", "cons_add.csv"):
        all_text += open(os.path.join(d, f), "rb").read().decode("latin-1")
    ents = {}
    for r in prim:
        if len(r) < 12:
            continue
        programs = [p.strip() for p in r[3].split("] [")]
        if PROGRAM not in programs:
            continue
        remarks = r[11] + comments.get(r[0], "")
        e = {"name": r[1], "names": {r[1]} | set(alts[r[0]]), "isins": set(), "codes": set()}
        for seg in remarks.rstrip(".").split("; "):
            seg = re.sub(r"^alt\. ", "", seg.strip())
            if seg.startswith("ISIN "):
                e["isins"].add(seg[5:].strip())
            elif seg.startswith("Equity Ticker "):
                e["codes"].add(ticker_code(seg[len("Equity Ticker "):]))
            elif seg.startswith("Issuer Name "):
                e["names"].add(seg[len("Issuer Name "):])
            elif seg.startswith("a.k.a. "):
                e["names"].add(seg[len("a.k.a. "):].strip("'. "))
        ents[r[0]] = e
    return ents, all_text


LEGAL = {"CO", "COMPANY", "CORP", "CORPORATION", "LTD", "LIMITED", "INC", "GROUP",
         "PLC", "SA", "SE", "NV", "HOLDINGS", "HOLDING", "THE", "AND", "OF"}
GENERIC = LEGAL | {"CHINA", "CHINESE", "TECHNOLOGY", "TECHNOLOGIES", "TECH", "INDUSTRY",
                   "INDUSTRIES", "INDUSTRIAL", "INTERNATIONAL", "INTL", "ELECTRONICS",
                   "ELECTRONIC", "COMMUNICATIONS", "INFORMATION", "ENGINEERING", "NATIONAL",
                   "SCIENCE", "SYSTEMS", "POWER", "CAPITAL", "DEVELOPMENT", "A", "H", "B",
                   "ADR", "CLASS", "CL", "SP", "SPON", "SPONSORED", "ENERGY", "NETWORK",
                   "NETWORKS", "GLOBAL", "CONSTRUCTION", "AVIATION", "AEROSPACE", "DIGITAL"}


def tokens(name):
    s = name.upper().replace("&", " AND ")
    s = re.sub(r"-(A|H|B)$", " ", s)
    return [t for t in re.split(r"[^A-Z0-9\u4e00-\u9fff]+", s) if t]


def norm(name):
    return " ".join(t for t in tokens(name) if t not in LEGAL)


def tags_of(note):
    head = note.split(";", 1)[0]
    return {t.strip() for t in head.split("+") if t.strip()}


# ---------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--csv", default=DEFAULT_CSV)
    ap.add_argument("--list-dir", default=DEFAULT_LIST)
    ap.add_argument("--review", action="store_true")
    a = ap.parse_args()

    ents, all_text = load_list(a.list_dir)
    if len(ents) != 68:
        warnings.append(f"list has {len(ents)} {PROGRAM} entries, expected 68")
    norm_names = collections.defaultdict(set)
    for eid, e in ents.items():
        for n in e["names"]:
            norm_names[norm(n)].add(eid)
    listed_codes = {c for e in ents.values() for c in e["codes"]}

    with open(a.csv, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    if rows[0] != HEADER:
        err(f"header is {rows[0]}, expected {HEADER}")
    data = [dict(zip(HEADER, r)) for r in rows[1:]]
    for i, r in enumerate(rows[1:], 2):
        if len(r) != len(HEADER):
            err(f"line {i}: {len(r)} fields")

    ids = collections.Counter(r["case_id"] for r in data)
    for k, v in ids.items():
        if v > 1:
            err(f"duplicate case_id {k}")

    per_entity = collections.Counter()
    tag_count = collections.Counter()
    bad_rows = 0
    for r in data:
        cid, exp, eid = r["case_id"], r["expected"], r["entity_id"]
        isin, cusip, note = r["isin"].strip(), r["cusip"].strip(), r["note"]
        tags = tags_of(note)
        tag_count.update(tags)
        if not r["name"].strip() and not (isin or cusip or r["ticker"].strip()):
            err(f"{cid}: no name and no identifier")
        if exp not in ("listed", "unlisted"):
            err(f"{cid}: expected={exp!r}")
            continue
        # identifiers
        bad = "bad-check-digit" in note
        if isin:
            if bad:
                bad_rows += 1
                if exp != "listed":
                    err(f"{cid}: bad-check-digit only allowed on listed rows")
            elif not isin_valid(isin):
                err(f"{cid}: ISIN {isin} fails the ISO 6166 check digit")
        if cusip:
            if not cusip_valid(cusip):
                err(f"{cid}: CUSIP {cusip} fails the check digit")
            if isin[:2] in ("US", "CA") and isin[2:11] != cusip:
                err(f"{cid}: CUSIP {cusip} does not match ISIN {isin}")
        code = ticker_code(r["ticker"])
        if exp == "listed":
            if eid not in ents:
                err(f"{cid}: entity_id {eid!r} is not a {PROGRAM} entry")
                continue
            per_entity[eid] += 1
            for alt in re.findall(r"alt-entity=(\d+)", note):
                if alt not in ents:
                    err(f"{cid}: alt-entity {alt} is not a {PROGRAM} entry")
            others = norm_names.get(norm(r["name"]), set()) - {eid} - \
                set(re.findall(r"alt-entity=(\d+)", note))
            if others and not (isin or cusip or code) and "hard-near-other-entity" not in tags:
                warnings.append(f"{cid}: name-only row also normalises to {sorted(others)}; "
                                f"consider alt-entity=")
            if isin and isin not in ents[eid]["isins"] and \
                    "isin-not-on-list (issuer-level)" not in note:
                err(f"{cid}: ISIN {isin} is not on entry {eid}")
            if cusip and not any(i[2:11] == cusip for i in ents[eid]["isins"]) and \
                    "isin-not-on-list (issuer-level)" not in note:
                err(f"{cid}: CUSIP {cusip} is not derived from a US ISIN on entry {eid}")
            if code and code not in ents[eid]["codes"] and "ticker-not-on-list" not in tags:
                err(f"{cid}: ticker code {code} not on entry {eid} (tag ticker-not-on-list if issuer-level)")
        else:
            if eid:
                err(f"{cid}: unlisted row has entity_id {eid}")
            if isin and isin in all_text:
                err(f"{cid}: unlisted ISIN {isin} appears in the list files")
            hit = norm_names.get(norm(r["name"]))
            if hit and not tags & {"hard-same-name-other-entity", "hard-near-identical-name"}:
                err(f"{cid}: unlisted name {r['name']!r} normalises to list name of {sorted(hit)}")
            if code and code in listed_codes and not (tags & COLLISION_TAGS):
                err(f"{cid}: unlisted ticker code {code} equals a listed code; add a collision tag")
    if bad_rows > MAX_BAD:
        err(f"{bad_rows} bad-check-digit rows (max {MAX_BAD})")
    for eid in ents:
        if per_entity[eid] < MIN_PER_ENTITY:
            err(f"entity {eid} {ents[eid]['name']} has {per_entity[eid]} listed rows")

    listed = sum(r["expected"] == "listed" for r in data)
    unlisted = sum(r["expected"] == "unlisted" for r in data)
    if listed < MIN_LISTED:
        err(f"only {listed} listed rows")
    if unlisted < MIN_UNLISTED:
        err(f"only {unlisted} unlisted rows")

    if a.review:
        print("== review: unlisted rows sharing a distinctive token with a CMIC name")
        distinct = collections.defaultdict(set)
        for eid, e in ents.items():
            for n in e["names"]:
                for t in tokens(n):
                    if t not in GENERIC and len(t) > 2:
                        distinct[t].add(eid)
        for r in data:
            if r["expected"] != "unlisted":
                continue
            shared = {t: sorted(distinct[t]) for t in tokens(r["name"]) if t in distinct}
            if shared:
                print(f"  {r['case_id']} {r['name']!r}: {shared}")

    print(f"rows {len(data)}  listed {listed}  unlisted {unlisted}")
    print(f"entities covered {sum(1 for e in ents if per_entity[e] > 0)}/{len(ents)}"
          f"  (min rows per entity {min(per_entity[e] for e in ents)})")
    print(f"rows with ISIN {sum(bool(r['isin']) for r in data)}, CUSIP "
          f"{sum(bool(r['cusip']) for r in data)}, ticker {sum(bool(r['ticker']) for r in data)}, "
          f"exchange {sum(bool(r['exchange']) for r in data)}, country "
          f"{sum(bool(r['country']) for r in data)}; bad-check-digit {bad_rows}")
    print("notation / case tags:")
    for t, c in sorted(tag_count.items()):
        print(f"  {t:32s} {c}")
    for w in warnings:
        print("WARNING:", w)
    for e in errors:
        print("ERROR:", e)
    print("OK" if not errors else f"FAILED ({len(errors)} errors)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
