//! The list readers against OFAC's real files in `data/ofac` (see data/PROVENANCE.md):
//! every format yields the same NS-CMIC entries.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use holdscreen::ident::IdCheck;
use holdscreen::list::embedded::embedded_list;
use holdscreen::list::{
    CmicData, DateBasis, Entry, ListError, ListFormat, ListKind, ListSnapshot, load_paths,
};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/ofac")
        .join(rel)
}

fn one(rel: &str) -> ListSnapshot {
    let mut l = load_paths(&[data(rel)]).unwrap_or_else(|e| panic!("{rel}: {e}"));
    assert_eq!(l.snapshots.len(), 1, "{rel}");
    l.snapshots.remove(0)
}

fn cmic(s: &ListSnapshot) -> BTreeMap<String, Entry> {
    s.cmic_entries()
        .map(|e| (e.id.clone(), e.clone()))
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// What must agree across formats for one NS-CMIC entry.
#[derive(Debug, PartialEq, Eq)]
struct Facts {
    name: String,
    listing: Option<NaiveDate>,
    effective: Option<NaiveDate>,
    divestment: Option<NaiveDate>,
    isins: BTreeSet<String>,
    tickers: BTreeSet<String>,
    issuers: BTreeSet<String>,
    target_type: Option<String>,
    uscc: BTreeSet<String>,
    lei: BTreeSet<String>,
    registrations: BTreeSet<(String, String, Option<String>)>,
    linked_to: BTreeSet<String>,
}

fn facts(e: &Entry) -> Facts {
    let c = e.cmic.as_ref().expect("CMIC entry has CmicData");
    Facts {
        name: e.name.clone(),
        listing: c.listing_date,
        effective: c.effective_date,
        divestment: c.divestment_date,
        isins: c.isins.iter().map(|i| i.value.clone()).collect(),
        tickers: c.tickers.iter().map(|t| t.raw.clone()).collect(),
        issuers: c.issuer_names.iter().cloned().collect(),
        target_type: c.target_type.clone(),
        uscc: c.uscc.iter().cloned().collect(),
        lei: c.lei.iter().cloned().collect(),
        registrations: c
            .registrations
            .iter()
            .map(|r| (r.label.clone(), r.value.clone(), r.country.clone()))
            .collect(),
        linked_to: e.linked_to.iter().cloned().collect(),
    }
}

fn aliases(e: &Entry) -> BTreeSet<(String, String, Option<String>)> {
    e.aliases
        .iter()
        .map(|a| (a.kind.clone(), a.name.clone(), a.strength.clone()))
        .collect()
}

fn identifiers(e: &Entry) -> Vec<(String, String, Option<String>)> {
    let mut v: Vec<_> = e
        .identifiers
        .iter()
        .map(|i| (i.label.clone(), i.value.clone(), i.country.clone()))
        .collect();
    v.sort();
    v
}

/// CmicData with every list sorted (the formats list identifiers in different orders).
fn canonical(e: &Entry) -> Option<CmicData> {
    let mut c = e.cmic.clone()?;
    c.isins.sort_by(|a, b| a.value.cmp(&b.value));
    c.tickers.sort_by(|a, b| a.raw.cmp(&b.raw));
    c.issuer_names.sort();
    c.uscc.sort();
    c.lei.sort();
    c.registrations
        .sort_by(|a, b| (&a.label, &a.value).cmp(&(&b.label, &b.value)));
    Some(c)
}

#[test]
fn csv_2025_12_and_xml_2024_05_agree_on_all_68_entries() {
    let csv = one("cons-2025-12");
    let xml = one("consolidated-2024-05-06.xml");
    assert_eq!(csv.format, ListFormat::CsvSet);
    assert_eq!(csv.kind, ListKind::Consolidated);
    assert_eq!(csv.entries.len(), 442);
    // The bundled sets carry a LIST_DATE file (CSV files themselves carry no date).
    assert_eq!(csv.date_basis, DateBasis::Declared);
    assert_eq!(csv.date, Some(date(2025, 12, 19)));
    assert!(csv.description.contains("CSV set") && csv.description.contains("LIST_DATE"));
    assert_eq!(xml.format, ListFormat::ClassicXml);
    assert_eq!(xml.kind, ListKind::Consolidated);
    assert_eq!(xml.date, Some(date(2024, 5, 6)));
    assert_eq!(xml.date_basis, DateBasis::PublishDate);
    assert_eq!(xml.record_count, Some(443));
    assert_eq!(xml.entries.len(), 443);

    let a = cmic(&csv);
    let b = cmic(&xml);
    assert_eq!(a.len(), 68);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (id, ea) in &a {
        let eb = &b[id];
        assert_eq!(facts(ea), facts(eb), "entry {id}");
        assert_eq!(aliases(ea), aliases(eb), "aliases of entry {id}");
        assert_eq!(
            identifiers(ea),
            identifiers(eb),
            "identifiers of entry {id}"
        );
        assert_eq!(canonical(ea), canonical(eb), "CmicData of entry {id}");
        assert_eq!(ea.countries, eb.countries, "countries of entry {id}");
    }
}

#[test]
fn csv_2025_04_has_the_same_entries_and_flags_the_cut_remarks() {
    let new = one("cons-2025-12");
    let old = one("cons-2025-04");
    assert_eq!(old.entries.len(), 443);
    assert_eq!(old.files.len(), 2, "cons_prim + cons_add only");
    let a = cmic(&new);
    let b = cmic(&old);
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());

    // Exactly one NS-CMIC entry is cut: 30930 (CCCC), named in a warning.
    let cut: Vec<&str> = b
        .values()
        .filter(|e| e.remarks_truncated)
        .map(|e| e.id.as_str())
        .collect();
    assert_eq!(cut, ["30930"]);
    assert!(
        old.warnings
            .iter()
            .any(|w| w.contains("entry 30930") && w.contains("1000")),
        "{:#?}",
        old.warnings
    );
    assert!(!a["30930"].remarks_truncated);

    for (id, ea) in &a {
        let eb = &b[id];
        let (mut fa, fb) = (facts(ea), facts(eb));
        let weak_a: BTreeSet<_> = aliases(ea)
            .into_iter()
            .filter(|a| a.2.as_deref() == Some("weak"))
            .collect();
        let mut weak_b = aliases(eb);
        if id == "30930" {
            // The cut segment (the USCC, with its country) and the weak a.k.a. after it
            // are missing from the old copy.
            assert_eq!(fa.uscc, BTreeSet::from(["91110000710934369E".to_string()]));
            assert!(fb.uscc.is_empty());
            fa.uscc.clear();
            weak_b.insert(("aka".into(), "CCCC".into(), Some("weak".into())));
        }
        assert_eq!(fa, fb, "entry {id}");
        assert_eq!(weak_a, weak_b, "weak aliases of entry {id}");
    }
}

#[test]
fn embedded_is_the_cmic_part_of_cons_2025_12() {
    let csv = one("cons-2025-12");
    let emb = embedded_list();
    assert_eq!(emb.snapshots.len(), 1);
    let s = &emb.snapshots[0];
    assert!(s.embedded);
    assert_eq!(s.date, Some(date(2025, 12, 19)));
    assert_eq!(s.date_basis, DateBasis::CapturedBy);
    assert_eq!(
        s.description,
        "OFAC consolidated (non-SDN) list, NS-CMIC entries, CSV set captured by 2025-12-19 (embedded)"
    );
    let from_files: Vec<&Entry> = csv.cmic_entries().collect();
    let embedded: Vec<&Entry> = s.entries.iter().collect();
    assert_eq!(embedded, from_files);
    // Same bytes, same digests.
    for (f, g) in s.files.iter().zip(&csv.files) {
        assert_eq!(f.sha256, g.sha256, "{}", f.path);
        assert_eq!(f.bytes, g.bytes);
        assert_eq!(f.records, g.records);
        assert_eq!(f.role, g.role);
    }
}

#[test]
fn cohorts_isins_and_defects() {
    for rel in ["cons-2025-12", "consolidated-2024-05-06.xml"] {
        let s = one(rel);
        let mut cohorts: BTreeMap<Option<NaiveDate>, usize> = BTreeMap::new();
        let mut effective: BTreeMap<Option<NaiveDate>, usize> = BTreeMap::new();
        let mut divest: BTreeMap<Option<NaiveDate>, usize> = BTreeMap::new();
        let (mut with_isin, mut isins, mut with_ticker, mut tickers) = (0, 0, 0, 0);
        let mut defective: BTreeMap<String, (String, IdCheck)> = BTreeMap::new();
        for e in s.cmic_entries() {
            let c = e.cmic.as_ref().unwrap();
            *cohorts.entry(c.listing_date).or_default() += 1;
            *effective.entry(c.effective_date).or_default() += 1;
            *divest.entry(c.divestment_date).or_default() += 1;
            with_isin += usize::from(!c.isins.is_empty());
            isins += c.isins.len();
            with_ticker += usize::from(!c.tickers.is_empty());
            tickers += c.tickers.len();
            assert!(c.tickers.iter().all(|t| t.key.is_some()), "entry {}", e.id);
            for i in c.isins.iter().filter(|i| !i.check.is_valid()) {
                defective.insert(i.value.clone(), (e.id.clone(), i.check));
                assert!(
                    s.warnings
                        .iter()
                        .any(|w| w.contains(&format!("entry {}", e.id)) && w.contains(&i.value)),
                    "{rel}: no warning for {}",
                    i.value
                );
            }
        }
        let expect = |pairs: &[((i32, u32, u32), usize)]| -> BTreeMap<Option<NaiveDate>, usize> {
            pairs
                .iter()
                .map(|((y, m, d), n)| (Some(date(*y, *m, *d)), *n))
                .collect()
        };
        assert_eq!(
            cohorts,
            expect(&[((2021, 6, 3), 59), ((2021, 12, 10), 1), ((2021, 12, 16), 8)]),
            "{rel}"
        );
        assert_eq!(
            effective,
            expect(&[((2021, 8, 2), 59), ((2022, 2, 8), 1), ((2022, 2, 14), 8)]),
            "{rel}"
        );
        assert_eq!(
            divest,
            expect(&[((2022, 6, 3), 59), ((2022, 12, 10), 1), ((2022, 12, 16), 8)]),
            "{rel}"
        );
        assert_eq!((with_isin, isins), (53, 165), "{rel}");
        assert_eq!((with_ticker, tickers), (40, 69), "{rel}");
        let defective: Vec<(&str, &str, IdCheck)> = defective
            .iter()
            .map(|(v, (id, c))| (v.as_str(), id.as_str(), *c))
            .collect();
        assert_eq!(
            defective,
            [
                ("BRC1EODR004", "30926", IdCheck::BadLength),
                ("CND10002G601", "30930", IdCheck::BadCheckDigit),
                ("CND10002K094", "30930", IdCheck::BadCheckDigit),
            ],
            "{rel}"
        );
    }
}

#[test]
fn known_entries() {
    let s = one("cons-2025-12");
    let m = cmic(&s);
    let isins = |id: &str| -> BTreeSet<String> {
        m[id]
            .cmic
            .as_ref()
            .unwrap()
            .isins
            .iter()
            .map(|i| i.value.clone())
            .collect()
    };
    let tickers = |id: &str| -> Vec<(String, String, String)> {
        m[id]
            .cmic
            .as_ref()
            .unwrap()
            .tickers
            .iter()
            .map(|t| {
                let k = t.key.as_ref().unwrap();
                (t.raw.clone(), k.code.clone(), k.market.to_string())
            })
            .collect()
    };

    assert_eq!(m["30882"].name, "CHINA TELECOM CORPORATION LIMITED");
    assert!(isins("30882").contains("CNE1000002V2"));
    assert!(tickers("30882").contains(&("0728 HK".into(), "728".into(), "HK".into())));
    assert_eq!(
        m["30882"].linked_to,
        ["CHINA TELECOMMUNICATIONS CORPORATION"]
    );

    assert_eq!(m["30923"].name, "CHINA MOBILE LIMITED");
    assert!(isins("30923").is_superset(&BTreeSet::from([
        "HK0941009539".to_string(),
        "US16941M1099".to_string()
    ])));
    assert!(tickers("30923").contains(&("941 HK".into(), "941".into(), "HK".into())));
    assert_eq!(
        m["30923"].linked_to,
        ["CHINA MOBILE COMMUNICATIONS GROUP CO., LTD."]
    );

    let dawning = &m["33113"];
    assert!(isins("33113").contains("CNE100001TW7"));
    assert!(tickers("33113").contains(&("603019CN".into(), "603019".into(), "CN".into())));
    let c = dawning.cmic.as_ref().unwrap();
    assert_eq!(c.listing_date, Some(date(2021, 12, 16)));
    assert_eq!(c.effective_date, Some(date(2022, 2, 14)));
    assert_eq!(c.divestment_date, Some(date(2022, 12, 16)));
    assert!(dawning.aliases.iter().any(|a| a.name == "SUGON"));

    // CCCC: remarks continued in CONS_COMMENTS.
    let cccc = &m["30930"];
    assert!(
        cccc.remarks
            .as_deref()
            .unwrap()
            .ends_with("(China); a.k.a. 'CCCC'.")
    );
    assert!(cccc.remarks.as_deref().unwrap().chars().count() > 1000);
    assert!(cccc.aliases.iter().any(|a| a.name == "CCCC"));
    assert_eq!(cccc.cmic.as_ref().unwrap().uscc, ["91110000710934369E"]);

    // SenseTime: Hong Kong company registry number.
    let st = m["33114"].cmic.as_ref().unwrap();
    assert_eq!(st.registrations.len(), 1);
    assert_eq!(st.registrations[0].label, "C.R. No.");
    assert_eq!(st.registrations[0].country.as_deref(), Some("Hong Kong"));

    // Target types as PROVENANCE counts them.
    let mut tt: BTreeMap<Option<String>, usize> = BTreeMap::new();
    for e in m.values() {
        *tt.entry(e.cmic.as_ref().unwrap().target_type.clone())
            .or_default() += 1;
    }
    assert_eq!(tt[&Some("Public Company".to_string())], 34);
    assert_eq!(tt[&Some("Private Company".to_string())], 14);
    assert_eq!(tt[&Some("State-Owned Enterprise".to_string())], 9);
    assert_eq!(tt[&None], 11);
}

#[test]
fn sdn_sets() {
    let old = one("sdn-2021-07");
    assert_eq!(old.kind, ListKind::Sdn);
    assert_eq!(old.entries.len(), 8976);
    assert_eq!(old.files.len(), 4);
    let recs: Vec<(&str, usize)> = old
        .files
        .iter()
        .map(|f| (f.role.as_str(), f.records))
        .collect();
    assert_eq!(
        recs,
        [
            ("SDN", 8976),
            ("ALT", 11910),
            ("ADD", 13837),
            ("SDN_COMMENTS", 5)
        ]
    );
    assert!(old.entries.iter().all(|e| e.list_kind == ListKind::Sdn));
    assert_eq!(old.cmic_entries().count(), 0);

    let new = one("sdn-2024-05-03");
    assert_eq!(new.entries.len(), 14965);
    let mut types: BTreeMap<String, usize> = BTreeMap::new();
    for e in &new.entries {
        *types.entry(format!("{:?}", e.party_type)).or_default() += 1;
    }
    assert_eq!(types["Individual"], 6854);
    assert_eq!(types["Entity"], 6884);
    assert_eq!(types["Vessel"], 851);
    assert_eq!(types["Aircraft"], 376);
    // No comments file: the cut remarks are flagged.
    assert!(new.entries.iter().any(|e| e.remarks_truncated));
    assert!(
        new.warnings
            .iter()
            .any(|w| w.contains("no SDN_COMMENTS.CSV"))
    );
}

/// Every string in a JSON value.
fn strings<'a>(v: &'a serde_json::Value, out: &mut Vec<&'a str>) {
    match v {
        serde_json::Value::String(s) => out.push(s),
        serde_json::Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| strings(x, out)),
        _ => {}
    }
}

/// `-0-` (OFAC's null) never survives into a parsed field, in any of the five files.
fn assert_no_null_marker(all: &holdscreen::list::SanctionsList) {
    for s in &all.snapshots {
        let json = serde_json::to_value(&s.entries).unwrap();
        let mut all = Vec::new();
        strings(&json, &mut all);
        // `-0-` is OFAC's null; it may occur inside a real value (`CH-660-0-469-982-0`).
        let bad: Vec<&&str> = all
            .iter()
            .filter(|s| {
                let t = s.trim();
                t == "-0-" || t.starts_with("-0- ") || t.ends_with(" -0-") || t.is_empty()
            })
            .collect();
        assert!(bad.is_empty(), "{}: {bad:?}", s.description);
    }
}

#[test]
fn a_folder_of_lists_yields_sorted_snapshots() {
    let all = load_paths(&[data("")]).unwrap();
    assert_eq!(all.snapshots.len(), 5);
    assert_no_null_marker(&all);
    let kinds: Vec<(ListFormat, ListKind)> =
        all.snapshots.iter().map(|s| (s.format, s.kind)).collect();
    // Sorted by date: SDN 2021-07-07, SDN 2024-05-03, XML 2024-05-06, CSV 2025-04-21, 2025-12-19.
    assert_eq!(
        kinds,
        [
            (ListFormat::CsvSet, ListKind::Sdn),
            (ListFormat::CsvSet, ListKind::Sdn),
            (ListFormat::ClassicXml, ListKind::Consolidated),
            (ListFormat::CsvSet, ListKind::Consolidated),
            (ListFormat::CsvSet, ListKind::Consolidated),
        ]
    );
    let dates: Vec<_> = all.snapshots.iter().map(|s| s.date).collect();
    let mut sorted = dates.clone();
    sorted.sort();
    assert_eq!(dates, sorted);
    // Naming the same set twice (folder and file) reads it once.
    let twice = load_paths(&[data("cons-2025-12"), data("cons-2025-12/cons_prim.csv")]).unwrap();
    assert_eq!(twice.snapshots.len(), 1);
}

#[test]
fn file_names_match_case_insensitively_and_siblings_come_along() {
    let tmp = tempfile::tempdir().unwrap();
    let names = [
        ("cons_prim.csv", "CONS_PRIM.CSV"),
        ("cons_alt.csv", "Cons_Alt.csv"),
        ("cons_add.csv", "CONS_ADD.csv"),
        ("cons_comments.csv", "cons_COMMENTS.CSV"),
    ];
    for (from, to) in names {
        std::fs::copy(data("cons-2025-12").join(from), tmp.path().join(to)).unwrap();
    }
    let orig = one("cons-2025-12");
    // The folder, and the primary file given directly, both read all four files.
    for p in [tmp.path().to_path_buf(), tmp.path().join("CONS_PRIM.CSV")] {
        let l = load_paths(std::slice::from_ref(&p)).unwrap();
        assert_eq!(l.snapshots.len(), 1, "{}", p.display());
        let s = &l.snapshots[0];
        assert_eq!(s.files.len(), 4);
        assert!(
            s.files
                .iter()
                .any(|f| f.path.ends_with("cons_COMMENTS.CSV"))
        );
        assert_eq!(s.entries, orig.entries);
        for (f, g) in s.files.iter().zip(&orig.files) {
            assert_eq!(f.sha256, g.sha256);
        }
    }
}

#[test]
fn bad_paths_are_named() {
    let missing = data("no-such-list");
    let e = load_paths(std::slice::from_ref(&missing)).unwrap_err();
    assert!(matches!(e, ListError::Io { .. }));
    let msg = e.to_string();
    assert!(
        msg.contains(&missing.display().to_string()) && msg.contains("no such"),
        "{msg}"
    );

    let not_a_list = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/PROVENANCE.md");
    let msg = load_paths(&[not_a_list]).unwrap_err().to_string();
    assert!(
        msg.contains("PROVENANCE.md") && msg.contains("CONS_PRIM.CSV"),
        "{msg}"
    );

    // An ALT file without its primary file.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        data("cons-2025-12/cons_alt.csv"),
        tmp.path().join("cons_alt.csv"),
    )
    .unwrap();
    let msg = load_paths(&[tmp.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("CONS_PRIM"), "{msg}");

    // A broken CSV names file and line.
    std::fs::write(
        tmp.path().join("cons_prim.csv"),
        b"1,\"A\",-0- ,\"X\"\r\nx,\"B\"\r\n",
    )
    .unwrap();
    let msg = load_paths(&[tmp.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("cons_prim.csv: line 2"), "{msg}");

    // An empty folder.
    let empty = tempfile::tempdir().unwrap();
    let msg = load_paths(&[empty.path().to_path_buf()])
        .unwrap_err()
        .to_string();
    assert!(msg.contains("no OFAC list files"), "{msg}");
}

#[test]
fn a_csv_set_without_list_date_is_dated_by_modification_time() {
    let tmp = tempfile::tempdir().unwrap();
    for f in [
        "cons_prim.csv",
        "cons_alt.csv",
        "cons_add.csv",
        "cons_comments.csv",
    ] {
        std::fs::copy(data("cons-2025-12").join(f), tmp.path().join(f)).unwrap();
    }
    let snap = &load_paths(&[tmp.path().to_path_buf()]).unwrap().snapshots[0];
    assert_eq!(snap.date_basis, DateBasis::FileModified);
    assert!(snap.description.contains("modification"));
    std::fs::write(tmp.path().join("LIST_DATE"), "19 Dec 2025\n").unwrap();
    let snap = &load_paths(&[tmp.path().to_path_buf()]).unwrap().snapshots[0];
    assert_eq!(
        snap.date_basis,
        DateBasis::FileModified,
        "a bad LIST_DATE is not used"
    );
    assert!(
        snap.warnings
            .iter()
            .any(|w| w.contains("not a YYYY-MM-DD date"))
    );
}
