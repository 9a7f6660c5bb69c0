#!/usr/bin/env python3
"""Build tests/eval/cmic_eval.csv: the labelled matching evaluation set.

Listed rows: every NS-CMIC entity of data/ofac/cons-2025-12 in several spellings and
notations, as custodians and data vendors write them: vendor-style abbreviated names,
OFAC's Issuer Names and a.k.a.s, tickers in Bloomberg / Refinitiv / Yahoo / bare-code-plus-
exchange notations, listed ISINs and CUSIPs of listed US ISINs, debt descriptions.
Unlisted rows: hard look-alikes (curated below, each checked against the list).

Run from the repository root: python3 tests/eval/make_eval.py
"""
import csv, re, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LIST = ROOT / "data/ofac/cons-2025-12"

def read(name):
    raw = (LIST / name).read_bytes().replace(b"\x1a", b"").decode("utf-8", "replace")
    return list(csv.reader(raw.splitlines()))

def val(s):
    s = s.strip()
    return None if s in ("-0-", "") else s

prim = read("cons_prim.csv")
alt = read("cons_alt.csv")
comments = {r[0]: r[1] for r in read("cons_comments.csv") if len(r) > 1}
entities = {}
for r in prim:
    if len(r) < 12 or "CMIC-EO13959" not in r[3]:
        continue
    remarks = (val(r[11]) or "") + (comments.get(r[0], "") or "")
    entities[r[0]] = {"name": r[1], "remarks": remarks, "akas": []}
for r in alt:
    if len(r) > 3 and r[0] in entities:
        entities[r[0]]["akas"].append(r[3])
assert len(entities) == 68, len(entities)

def fields(remarks, label):
    out = []
    for seg in remarks.split(";"):
        seg = seg.strip()
        seg = re.sub(r"^alt\.\s+", "", seg)
        if seg.startswith(label + " "):
            out.append(seg[len(label) + 1:].strip().rstrip("."))
    return out

def isin_ok(isin):
    if not re.fullmatch(r"[A-Z]{2}[A-Z0-9]{9}[0-9]", isin):
        return False
    digits = "".join(str(int(c, 36)) for c in isin[:-1])
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return (10 - total % 10) % 10 == int(isin[-1])

ABBR = [("CORPORATION", "CORP"), ("COMPANY", "CO"), ("LIMITED", "LTD"), ("TECHNOLOGY", "TECH"),
        ("INTERNATIONAL", "INTL"), ("INDUSTRY", "IND"), ("ELECTRONICS", "ELEC"), ("INFORMATION", "INFO"),
        ("HOLDINGS", "HLDGS"), ("GROUP", "GRP"), ("ENGINEERING", "ENG"), ("COMMUNICATIONS", "COMM"),
        ("AVIATION", "AVN"), ("SHIPBUILDING", "SHIPBLDG"), ("MACHINERY", "MACH"), ("SEMICONDUCTOR", "SEMICOND")]

def vendor_name(name, tail):
    """Bloomberg-style short name: upper case, abbreviations, no punctuation, class tail."""
    n = name.upper().replace(",", "").replace(".", "")
    for a, b in ABBR:
        n = re.sub(r"\b%s\b" % a, b, n)
    n = re.sub(r"\s+", " ", n).strip()
    return n[:30].rstrip() + tail

rows = []
def add(expected, eid, name="", isin="", cusip="", ticker="", exchange="", country="", note=""):
    rows.append({"case_id": f"C{len(rows)+1:03d}", "expected": expected, "entity_id": eid, "name": name,
                 "isin": isin, "cusip": cusip, "ticker": ticker, "exchange": exchange,
                 "country": country, "note": note})

# ---- listed: derived from each entry's own identifiers, in vendor notations ----
notation = 0
for eid, e in sorted(entities.items()):
    rem = e["remarks"]
    tickers = [t for t in fields(rem, "Equity Ticker")]
    isins = [i for i in fields(rem, "ISIN") if isin_ok(i)]
    issuers = fields(rem, "Issuer Name")
    # 1. a vendor-style name, no identifier
    tail = "-A" if any(re.search(r"\bCN$", t) or t.endswith("CN") for t in tickers) else ""
    add("listed", eid, name=vendor_name(e["name"], tail), note="vendor short name")
    # 2. a ticker in a vendor notation, with an unrelated-looking description absent
    for t in tickers[:2]:
        m = re.fullmatch(r"(\S+?)\s*([A-Z]{2})", t.replace("  ", " "))
        if not m:
            continue
        code, cc = m.group(1), m.group(2)
        if cc == "CN":
            yahoo = ".SS" if code.startswith("6") else ".SZ"
            forms = [(f"{code} CH Equity", "", "", "bloomberg CH"), (f"{code}{yahoo}", "", "", "yahoo"),
                     (code.lstrip("0") or code, "XSHG" if code.startswith("6") else "XSHE", "", "bare code (leading zeros lost) + MIC"),
                     (f"{code} C1", "", "", "bloomberg C1"), (code, "", "China", "bare code + country")]
        elif cc == "HK":
            forms = [(f"{code.lstrip('0')} HK Equity", "", "", "bloomberg HK"), (f"{code.zfill(4)[-4:]}.HK", "", "", "RIC .HK"),
                     (code.lstrip("0"), "Hong Kong Exchanges", "", "bare code + exchange name"), (f"{code} HK", "", "", "OFAC form")]
        elif cc == "US":
            forms = [(f"{code} US Equity", "", "", "bloomberg US"), (f"{code} UN", "", "", "bloomberg UN"), (f"{code}.N", "", "", "RIC .N")]
        elif cc == "DE":
            forms = [(f"{code} GR Equity", "", "", "bloomberg GR"), (f"{code}.DE", "", "", "RIC .DE")]
        else:
            forms = [(f"{code} {cc}", "", "", "OFAC form")]
        tk, ex, co, how = forms[notation % len(forms)]
        notation += 1
        add("listed", eid, ticker=tk, exchange=ex, country=co, note=f"ticker: {how}")
    # 3. a listed ISIN with the issuer's name as a custodian writes it
    for i in isins[:2]:
        nm = (issuers[0] if issuers else e["name"]).title()
        add("listed", eid, name=nm, isin=i, note="listed ISIN")
        if i.startswith("US"):
            add("listed", eid, name=nm + " ADR", cusip=i[2:11], note="CUSIP of a listed US ISIN")
    # 4. an Issuer Name or a.k.a. (not a short alias) as written by the list
    others = [n for n in issuers[1:] + e["akas"] if len(n.replace(" ", "")) > 5]
    if others:
        add("listed", eid, name=others[0], note="issuer name / a.k.a. as listed")

# ---- listed: curated real-world spellings ----
CURATED_LISTED = [
    ("30923", "China Mobile Ltd Sponsored ADR", "", "", "", "", "", "ADR description"),
    ("30923", "CHINA MOBILE LTD", "", "", "941", "", "HK", "bare HK code + country"),
    ("30882", "CHINA TELECOM CORP LTD-H", "CNE1000002V2", "", "728 HK Equity", "", "", "H share, ISIN + bloomberg"),
    ("30882", "China Telecom Corp Ltd-A", "", "", "601728 CH", "", "", "A share (2021 listing): issuer-level, code not on list"),
    ("30924", "China Unicom Hong Kong Ltd", "", "", "0762.HK", "", "", "RIC"),
    ("30926", "CNOOC Ltd", "", "", "883 HK Equity", "", "", "bloomberg"),
    ("30926", "CNOOC LTD-A", "", "", "600938 CH", "", "", "A share (2022 listing): issuer-level"),
    ("30946", "HIKVISION DIGITAL TECH-A", "", "", "", "", "", "place prefix dropped"),
    ("30946", "Hangzhou Hikvision Digital Technology Co., Ltd. Class A", "", "", "", "", "", "Class A tail"),
    ("30951", "Semiconductor Manufacturing International Corp", "", "", "981 HK", "", "", "OFAC-style HK ticker"),
    ("30951", "SEMICONDUCTOR MANUFACTURING INTL CORP-A", "", "", "688981.SS", "", "", "STAR board A share"),
    ("30947", "Huawei Technologies Co Ltd", "", "", "", "", "", "private: name only"),
    ("30947", "HUAWEI TECHNOLOGIES CO LTD", "", "", "", "", "", "private: upper case"),
    ("32087", "HUAWEI INV & HLDG 3.25% 15/03/2027", "", "", "", "", "", "debt description"),
    ("32091", "PROVEN HONOUR CAPITAL LTD 4.125% 05/06/2026", "", "", "", "", "", "debt description"),
    ("32089", "Proven Glory Capital Ltd 4.0% 02/21/2027", "", "", "", "", "", "debt description"),
    ("33091", "Megvii Technology Ltd", "", "", "", "", "", "Dec-2021, private"),
    ("33091", "MEGVII TECHNOLOGY LIMITED (PRE-IPO)", "", "", "", "", "", "pre-IPO tail"),
    ("33111", "SZ DJI Technology Co Ltd", "", "", "", "", "", "Dec-2021, private"),
    ("33111", "SZ DJI TECHNOLOGY CO., LTD.", "", "", "", "", "", "as listed"),
    ("33112", "CloudWalk Technology Co Ltd", "", "", "", "", "", "Dec-2021"),
    ("33113", "Sugon Information Industry Co Ltd-A", "", "", "", "", "", "issuer name of Dawning"),
    ("33113", "DAWNING INFORMATION INDUSTRY CO LTD-A", "", "", "603019 CH Equity", "", "", "bloomberg CH"),
    ("33114", "SenseTime Group Inc", "", "", "", "", "", "legal form differs (Inc vs Ltd)"),
    ("33114", "SENSETIME GROUP LTD-B", "", "", "", "", "", "class B"),
    ("33893", "Yitu Ltd", "", "", "", "", "", "Dec-2021"),
    ("33894", "Leon Technology Co Ltd-A", "", "", "300603.SZ", "", "", "yahoo"),
    ("33895", "NetPosa Technologies Ltd-A", "", "", "300367 CH Equity", "", "", "bloomberg"),
    ("33896", "XIAMEN MEIYA PICO INFO-A", "", "", "300188", "Shenzhen Stock Exchange", "", "bare code + exchange name"),
    ("30936", "China Electronics Technology Group Corp", "", "", "", "", "", "CETC, name only"),
    ("30930", "CHINA COMMUNICATIONS CONSTRUCTION CO LTD-H", "", "", "1800 HK Equity", "", "", "H share"),
    ("30959", "China Railway Construction Corp Ltd-H", "", "", "1186 HK", "", "", "H share"),
    ("30959", "CHINA RAILWAY CONSTRUCTION CORP-A", "CNE1000009T1", "", "601186.SS", "", "", "ISIN + yahoo"),
    ("30958", "China Nuclear Engineering Corp Ltd-A", "", "", "601611.SS", "", "", "yahoo"),
    ("30929", "China Aerospace Science & Technology Corp", "", "", "", "", "", "ampersand"),
    ("30928", "China Aerospace Science & Industry Corp Ltd", "", "", "", "", "", "ampersand"),
    ("30957", "China North Industries Group Corp Ltd", "", "", "", "", "", "NORINCO group"),
    ("30933", "China South Industries Group Co Ltd", "", "", "", "", "", "as issuer name"),
    ("30938", "China State Shipbuilding Corp Ltd", "", "", "", "", "", "CSSC group"),
    ("32100", "China Shipbuilding Industry Co Ltd-A", "", "", "601989 C1", "", "", "bloomberg C1"),
    ("32052", "AVIC Xian Aircraft Industry Group Co Ltd-A", "", "", "000768.SZ", "", "", "apostrophe dropped"),
    ("32056", "AVIC Shenyang Aircraft Co Ltd-A", "", "", "600760", "XSHG", "", "bare + MIC"),
    ("32055", "AVIC Jonhon Optronic Tech-A", "", "", "002179.SZ", "", "", "abbreviated"),
    ("32028", "Anhui Great Wall Military Industry Co Ltd-A", "", "", "601606 CH", "", "", "Great Wall spelt apart"),
    ("32107", "Costar Group Co Ltd-A", "", "", "002189.SZ", "", "", "yahoo"),
    ("32131", "Shaanxi Zhongtian Rocket Technology Co Ltd-A", "", "", "003009.SZ", "", "", "003 range"),
    ("32153", "Zhonghang Electronic Measuring Instruments-A", "", "", "300114.SZ", "", "", "ChiNext"),
    ("32102", "Changsha Jingjia Microelectronics Co Ltd-A", "", "", "300474 CH", "", "", "bloomberg"),
    ("32069", "China Satellite Communications Co Ltd-A", "", "", "601698.SS", "", "", "yahoo"),
    ("32077", "Fujian Torch Electron Technology-A", "", "", "603678.SS", "", "", "yahoo"),
    ("32084", "Aerospace CH UAV Co Ltd-A", "", "", "002389.SZ", "", "", "yahoo"),
    ("30937", "China General Nuclear Power Corp", "", "", "", "", "", "CGN group"),
    ("30954", "China National Nuclear Corp", "", "", "", "", "", "CNNC group"),
    ("30949", "Inspur Group Co Ltd", "", "", "", "", "", "private"),
    ("30950", "Panda Electronics Group Co Ltd", "", "", "", "", "", "private"),
    ("32128", "Nanjing Panda Electronics Co Ltd-H", "", "", "553 HK", "", "", "H share"),
]
for eid, name, isin, cusip, ticker, exchange, country, note in CURATED_LISTED:
    assert eid in entities, eid
    add("listed", eid, name, isin, cusip, ticker, exchange, country, note)

# ---- unlisted: hard look-alikes, related companies, other lists (checked against the list) ----
UNLISTED = [
    # Chinese banks
    ("CHINA CONSTRUCTION BANK-H", "CNE1000002H1", "", "939 HK Equity", "", "", "bank; 'construction' as in CRCC/CCCC"),
    ("Industrial & Commercial Bank of China Ltd-H", "CNE1000003G1", "", "1398 HK", "", "", "bank"),
    ("Bank of China Ltd-H", "CNE1000001Z5", "", "3988.HK", "", "", "bank"),
    ("Agricultural Bank of China Ltd-H", "CNE100000Q43", "", "1288 HK", "", "", "bank"),
    ("Bank of Communications Co Ltd-H", "CNE100000205", "", "3328 HK", "", "", "bank; 'communications'"),
    ("China Merchants Bank Co Ltd-H", "CNE1000002M1", "", "3968 HK", "", "", "bank"),
    ("China CITIC Bank Corp Ltd-H", "", "", "998 HK", "", "", "bank"),
    ("China Minsheng Banking Corp Ltd-H", "", "", "1988 HK", "", "", "bank"),
    ("Postal Savings Bank of China Co Ltd-H", "", "", "1658 HK", "", "", "bank"),
    ("China Everbright Bank Co Ltd-H", "", "", "6818 HK", "", "", "bank"),
    ("Industrial Bank Co Ltd-A", "", "", "601166.SS", "", "", "bank"),
    ("Ping An Bank Co Ltd-A", "", "", "000001.SZ", "", "", "bank; code 000001"),
    ("China Development Bank 3.8% 2030", "", "", "", "", "", "policy bank bond"),
    ("Export-Import Bank of China 2.5% 2028", "", "", "", "", "", "policy bank bond"),
    # telecoms and their relatives
    ("China Tower Corp Ltd-H", "", "", "788 HK", "", "", "telecom towers (owned by the listed telcos)"),
    ("ZTE Corp-H", "", "", "763 HK", "", "", "telecom equipment; other US lists"),
    ("ZTE Corp-A", "", "", "000063.SZ", "", "", "telecom equipment"),
    ("China United Network Communications Ltd-A", "", "", "600050.SS", "", "", "A-share subsidiary of the listed Unicom group"),
    ("China Communications Services Corp Ltd-H", "", "", "552 HK", "", "", "telecom services; 'communications'"),
    ("China Mobile Games & Entertainment Group", "", "", "", "", "", "name shares CHINA MOBILE"),
    ("HKT Trust and HKT Ltd", "", "", "6823 HK", "", "", "HK telecom"),
    ("PCCW Ltd", "", "", "8 HK", "", "", "HK telecom"),
    ("SmarTone Telecommunications Holdings", "", "", "315 HK", "", "", "HK telecom"),
    ("Chunghwa Telecom Co Ltd", "", "", "2412 TT", "", "", "Taiwan telecom"),
    ("Chunghwa Telecom Co Ltd ADR", "", "", "CHT US", "", "", "ticker close to CHA/CHL/CHU"),
    ("China Telecom Global Ltd", "", "", "", "", "", "wholly owned subsidiary of China Telecommunications Corp (not itself listed)"),
    # construction, rail and engineering
    ("CHINA RAILWAY GROUP LTD-H", "CNE1000007Z2", "", "390 HK Equity", "", "", "CREC, not CRCC"),
    ("China Railway Group Ltd-A", "", "", "601390.SS", "", "", "CREC A share"),
    ("China State Construction Engineering Corp-A", "", "", "601668.SS", "", "", "construction"),
    ("China Railway Signal & Communication Corp-H", "", "", "3969 HK", "", "", "rail signalling; 'communication'"),
    ("CRRC Corp Ltd-H", "", "", "1766 HK", "", "", "rolling stock"),
    ("China Railway Construction Heavy Industry Corp-A", "", "", "688425.SS", "", "", "subsidiary of listed CRCC"),
    ("China Energy Engineering Corp-H", "", "", "3996 HK", "", "", "engineering"),
    ("Power Construction Corp of China-A", "", "", "601669.SS", "", "", "construction"),
    ("Metallurgical Corp of China Ltd-H", "", "", "1618 HK", "", "", "construction"),
    # aviation and aerospace
    ("China Eastern Airlines Corp Ltd-H", "", "", "670 HK", "", "", "airline"),
    ("Air China Ltd-H", "", "", "753 HK", "", "", "airline"),
    ("China Southern Airlines Co Ltd-H", "", "", "1055 HK", "", "", "airline; SOUTHERN vs SOUTH"),
    ("AviChina Industry & Technology Co Ltd-H", "", "", "2357 HK", "", "", "AVIC-related, not listed"),
    ("AVIC Industry-Finance Holdings Co Ltd-A", "", "", "600705.SS", "", "", "AVIC subsidiary, not listed"),
    ("COMAC", "", "", "", "", "", "Commercial Aircraft Corp of China (Entity List), not NS-CMIC"),
    ("Commercial Aircraft Corp of China Ltd", "", "", "", "", "", "not NS-CMIC"),
    ("China Aerospace International Holdings Ltd", "", "", "31 HK", "", "", "subsidiary of listed CASC"),
    ("Aerospace Hi-Tech Holding Group Co Ltd-A", "", "", "000901.SZ", "", "", "CASIC-related, not listed"),
    ("Boeing Co", "US0970231058", "", "BA US", "", "", "aerospace"),
    ("Airbus SE", "NL0000235190", "", "AIR FP", "", "", "aerospace"),
    # shipbuilding, marine, shipping
    ("China CSSC Holdings Ltd-A", "", "", "600150.SS", "", "", "CSSC subsidiary, not listed"),
    ("COSCO Shipping Holdings Co Ltd-H", "", "", "1919 HK", "", "", "shipping"),
    ("COSCO Shipping Energy Transportation-H", "", "", "1138 HK", "", "", "shipping"),
    ("China Merchants Port Holdings Co Ltd", "", "", "144 HK", "", "", "ports"),
    ("Hyundai Heavy Industries Co Ltd", "", "", "329180 KS", "", "", "shipbuilding"),
    ("China Shipping Development Co Ltd", "", "", "", "", "", "SHIPPING vs SHIPBUILDING"),
    # electronics, semiconductors, surveillance, AI
    ("Zhejiang Dahua Technology Co Ltd-A", "", "", "002236.SZ", "", "", "surveillance; Entity List, not NS-CMIC"),
    ("iFlytek Co Ltd-A", "", "", "002230.SZ", "", "", "AI; Entity List, not NS-CMIC"),
    ("Inspur Electronic Information Industry Co Ltd-A", "", "", "000977.SZ", "", "", "subsidiary of listed Inspur Group"),
    ("Zhejiang Uniview Technologies Co Ltd", "", "", "", "", "", "surveillance, private"),
    ("CloudMinds Inc", "", "", "", "", "", "Entity List; CLOUDMINDS vs CLOUDWALK"),
    ("Xiaomi Corp-W", "", "", "1810 HK", "", "", "designated in 2021, removed by court order"),
    ("Luokung Technology Corp", "", "", "LKCO US", "", "", "designated in 2021, removed"),
    ("Hua Hong Semiconductor Ltd", "", "", "1347 HK", "", "", "semiconductor"),
    ("Taiwan Semiconductor Manufacturing Co Ltd", "TW0002330008", "", "2330 TT", "", "", "semiconductor; 'manufacturing'"),
    ("United Microelectronics Corp", "", "", "2303 TT", "", "", "MICROELECTRONICS"),
    ("China Electronics Huada Technology Co Ltd", "", "", "85 HK", "", "", "CEC subsidiary, not listed"),
    ("BOE Technology Group Co Ltd-A", "", "", "000725.SZ", "", "", "displays"),
    ("Lenovo Group Ltd", "", "", "992 HK", "", "", "computers"),
    ("Honor Device Co Ltd", "", "", "", "", "", "spun off from Huawei"),
    ("HiSilicon Technologies Co Ltd", "", "", "", "", "", "Huawei subsidiary (Entity List), not NS-CMIC"),
    ("Huawei Marine Networks", "", "", "", "", "", "former Huawei JV, now HMN Tech"),
    ("SMIC Holdings Ltd Ordinary Depositary", "", "", "", "", "", "?"),
    ("China Greatwall Technology Group Co Ltd-A", "", "", "000066.SZ", "", "", "GREATWALL vs Anhui Greatwall Military"),
    ("Great Wall Motor Co Ltd-H", "", "", "2333 HK", "", "", "GREAT WALL"),
    ("China Great Wall Securities Co Ltd-A", "", "", "002939.SZ", "", "", "GREAT WALL"),
    ("Samsung Electronics Co Ltd", "KR7005930003", "", "005930 KS", "", "", "electronics"),
    ("Sony Group Corp", "JP3435000009", "", "6758 JP", "", "", "electronics"),
    # energy and resources (CNOOC and nuclear relatives)
    ("China Oilfield Services Ltd-H", "", "", "2883 HK", "", "", "CNOOC group subsidiary, not listed"),
    ("Offshore Oil Engineering Co Ltd-A", "", "", "600583.SS", "", "", "CNOOC group subsidiary"),
    ("PetroChina Co Ltd-H", "CNE1000003W8", "", "857 HK", "", "", "oil"),
    ("China Petroleum & Chemical Corp-H", "CNE1000002Q2", "", "386 HK", "", "", "Sinopec"),
    ("China National Petroleum Corp", "", "", "", "", "", "CNPC, not CNOOC"),
    ("China Shenhua Energy Co Ltd-H", "", "", "1088 HK", "", "", "energy"),
    ("China National Nuclear Power Co Ltd-A", "", "", "601985.SS", "", "", "subsidiary of listed CNNC"),
    ("CGN Power Co Ltd-H", "", "", "1816 HK", "", "", "subsidiary of listed CGN"),
    ("China Yangtze Power Co Ltd-A", "", "", "600900.SS", "", "", "power"),
    ("State Grid Corp of China", "", "", "", "", "", "grid"),
    ("China Southern Power Grid Co Ltd", "", "", "", "", "", "SOUTHERN"),
    ("Sinochem Holdings Corp Ltd", "", "", "", "", "", "chemicals"),
    ("China National Chemical Corp", "", "", "", "", "", "ChemChina"),
    ("Norinco International Cooperation Ltd-A", "", "", "000065.SZ", "", "", "subsidiary of listed NORINCO group"),
    ("China South Publishing & Media Group-A", "", "", "601098.SS", "", "", "CHINA SOUTH"),
    ("Inner Mongolia Yili Industrial Group-A", "", "", "600887.SS", "", "", "INNER MONGOLIA"),
    ("Inner Mongolia Baotou Steel Union-A", "", "", "600010.SS", "", "", "BAOTOU"),
    ("Anhui Conch Cement Co Ltd-H", "", "", "914 HK", "", "", "ANHUI"),
    ("Jiangxi Copper Co Ltd-H", "", "", "358 HK", "", "", "JIANGXI"),
    ("Hangzhou Steam Turbine Power Group-B", "", "", "", "", "", "HANGZHOU"),
    ("Xiamen Xiangyu Co Ltd-A", "", "", "600057.SS", "", "", "XIAMEN"),
    ("Shaanxi Coal Industry Co Ltd-A", "", "", "601225.SS", "", "", "SHAANXI"),
    ("Guizhou Bailing Group Pharmaceutical-A", "", "", "002424.SZ", "", "", "GUIZHOU"),
    ("Kweichow Moutai Co Ltd-A", "CNE0000018R8", "", "600519.SS", "", "", "consumer"),
    # large caps, and other US lists
    ("Tencent Holdings Ltd", "KYG875721634", "", "700 HK", "", "", "internet; on the DoD 1260H list, not NS-CMIC"),
    ("Alibaba Group Holding Ltd", "KYG017191142", "", "9988 HK", "", "", "internet"),
    ("Baidu Inc-Class A", "", "", "9888 HK", "", "", "internet"),
    ("JD.com Inc-Class A", "", "", "9618 HK", "", "", "internet"),
    ("Kuaishou Technology", "", "", "1024 HK", "", "", "internet"),
    ("Meituan-Class B", "", "", "3690 HK", "", "", "internet"),
    ("BYD Co Ltd-H", "", "", "1211 HK", "", "", "autos"),
    ("Contemporary Amperex Technology Co Ltd-A", "", "", "300750.SZ", "", "", "batteries; DoD 1260H, not NS-CMIC"),
    ("Ping An Insurance Group Co of China Ltd-H", "CNE1000003X6", "", "2318 HK", "", "", "insurance"),
    ("China Life Insurance Co Ltd-H", "", "", "2628 HK", "", "", "insurance"),
    ("HSBC Holdings PLC", "GB0005405286", "", "5 HK", "", "", "bank"),
    ("Apple Inc", "US0378331005", "", "AAPL US", "", "", "US"),
    ("Microsoft Corp", "US5949181045", "", "MSFT US", "", "", "US"),
    ("General Dynamics Corp", "", "", "GD US", "", "", "defence; GENERAL"),
    ("China Fund Inc", "", "", "CHN US", "", "", "closed-end fund"),
    ("Sinopec Shanghai Petrochemical Co Ltd-H", "", "", "338 HK", "", "", "SHANGHAI"),
    # tickers and codes of listed entities on other markets (never match across markets)
    ("Cx Technology Corp", "", "", "2415 TT", "", "", "code 2415 in Taiwan, not Hikvision 002415 CN"),
    ("", "", "", "941 US", "", "", "synthetic: code of a listed HK ticker on another market"),
    ("", "", "", "002415", "XKRX", "", "synthetic: listed mainland code with an explicit Korean MIC"),
    ("", "", "", "728", "", "Japan", "synthetic: listed HK code with a Japanese country"),
    ("", "", "", "CHL LN", "", "", "synthetic: a US ticker of a listed entity on London"),
]
for name, isin, cusip, ticker, exchange, country, note in UNLISTED:
    if note == "?":
        continue
    add("unlisted", "", name, isin, cusip, ticker, exchange, country, note)

# Names the list itself gives to two entities (CHINA TELECOM is an a.k.a. of both China
# Telecom Corp Ltd and its parent; HUAWEI INVESTMENT & HOLDING is an entity and an a.k.a.
# of Huawei Technologies): either entity is a correct find. Alternatives are joined by '|'.
LEGAL = {"CO", "LTD", "LIMITED", "CORP", "CORPORATION", "INC", "COMPANY", "THE", "OF", "AND"}
def key(n):
    n = re.sub(r"[^A-Z0-9 ]", " ", n.upper().replace("&", " AND "))
    return " ".join(w for w in n.split() if w not in LEGAL)
owners = {}
for eid, e in entities.items():
    for n in [e["name"]] + e["akas"] + fields(e["remarks"], "Issuer Name"):
        owners.setdefault(key(n), set()).add(eid)
for r in rows:
    if r["expected"] == "listed" and not (r["isin"] or r["cusip"] or r["ticker"]):
        alts = owners.get(key(r["name"]), set()) - {r["entity_id"]}
        if alts:
            r["entity_id"] = "|".join([r["entity_id"]] + sorted(alts))

# Sanity: no unlisted ISIN is on the list; every ISIN checks.
all_list_isins = set()
for e in entities.values():
    all_list_isins.update(fields(e["remarks"], "ISIN"))
for r in rows:
    if r["isin"]:
        assert isin_ok(r["isin"]), r
    if r["expected"] == "unlisted" and r["isin"]:
        assert r["isin"] not in all_list_isins, r

out = ROOT / "tests/eval/cmic_eval.csv"
with out.open("w", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
    w.writeheader()
    w.writerows(rows)
listed = sum(r["expected"] == "listed" for r in rows)
covered = len({r["entity_id"] for r in rows if r["expected"] == "listed"})
print(f"{len(rows)} rows: {listed} listed ({covered} entities), {len(rows)-listed} unlisted -> {out}")
