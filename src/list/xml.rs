//! OFAC's classic XML (`consolidated.xml`, `sdn.xml`).
//!
//! Elements are matched on local names, so the namespace change between years
//! (`http://tempuri.org/sdnList.xsd` -> `https://sanctionslistservice.ofac.treas.gov/...`)
//! does not matter. Only the `uid` that is a direct child of `sdnEntry` is the entry id:
//! aka, id and address uids are separate number spaces that collide with entry uids.

use chrono::NaiveDate;
use quick_xml::events::Event;

use super::csv_set::{SetWarning, normalise_alias_kind};
use super::remarks::{cmic_data, linked_to_in_xml_remarks};
use super::{Alias, Entry, Identifier, ListError, ListKind, PartyType};

/// A parsed classic XML file.
#[derive(Debug, Clone)]
pub struct ParsedXml {
    pub entries: Vec<Entry>,
    pub warnings: Vec<SetWarning>,
    /// `<publshInformation><Publish_Date>` (MM/DD/YYYY in the file).
    pub publish_date: Option<NaiveDate>,
    /// `<publshInformation><Record_Count>`.
    pub record_count: Option<usize>,
}

#[derive(Default)]
struct EntryBuilder {
    uid: Option<String>,
    last_name: Option<String>,
    first_name: Option<String>,
    sdn_type: Option<String>,
    remarks: Option<String>,
    programs: Vec<String>,
    aliases: Vec<Alias>,
    identifiers: Vec<Identifier>,
    countries: Vec<String>,
    aka: AkaBuilder,
    id: IdBuilder,
}

#[derive(Default)]
struct AkaBuilder {
    kind: Option<String>,
    category: Option<String>,
    last_name: Option<String>,
    first_name: Option<String>,
}

#[derive(Default)]
struct IdBuilder {
    id_type: Option<String>,
    number: Option<String>,
    country: Option<String>,
}

/// `LAST, First` as OFAC's CSV writes individuals' names; just `LAST` otherwise.
fn full_name(last: Option<String>, first: Option<String>) -> Option<String> {
    match (last, first) {
        (Some(l), Some(f)) => Some(format!("{l}, {f}")),
        (Some(l), None) => Some(l),
        (None, Some(f)) => Some(f),
        (None, None) => None,
    }
}

fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    if t.is_empty() || t == "-0-" {
        None
    } else {
        Some(t.to_string())
    }
}

fn line_of(text: &str, pos: u64) -> usize {
    let pos = usize::try_from(pos).unwrap_or(text.len()).min(text.len());
    text.as_bytes()[..pos]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

fn party_type(raw: Option<&str>) -> Option<PartyType> {
    match raw.map(str::to_ascii_lowercase).as_deref() {
        None | Some("entity") => Some(PartyType::Entity),
        Some("individual") => Some(PartyType::Individual),
        Some("vessel") => Some(PartyType::Vessel),
        Some("aircraft") => Some(PartyType::Aircraft),
        Some(_) => None,
    }
}

/// Parse a classic XML list. `kind` is what the caller knows from the file name; when None
/// it is inferred: a file with NS-CMIC entries is the consolidated list, else the SDN list.
pub fn parse_classic_xml(
    path: &str,
    bytes: &[u8],
    kind: Option<ListKind>,
) -> Result<ParsedXml, ListError> {
    let text = super::csv_set::decode_field(bytes);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut buf = String::new();
    let mut cur: Option<EntryBuilder> = None;
    let mut out = ParsedXml {
        entries: Vec::new(),
        warnings: Vec::new(),
        publish_date: None,
        record_count: None,
    };
    let mut seen_root = false;
    let parse_err = |pos: u64, message: String| ListError::Parse {
        path: path.to_string(),
        line: line_of(text, pos),
        message,
    };

    loop {
        let event = reader
            .read_event()
            .map_err(|e| parse_err(reader.error_position(), format!("not well-formed XML: {e}")))?;
        match event {
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                let name = e.local_name().as_ref().to_string();
                if name != "sdnList" {
                    return Err(ListError::Unrecognised {
                        path: path.to_string(),
                        message: format!(
                            "root element <{name}> is not OFAC's classic XML (<sdnList>, as in consolidated.xml or sdn.xml); the advanced XML format is not supported: pass consolidated.xml/sdn.xml or the CSV set instead"
                        ),
                    });
                }
                seen_root = true;
                stack.push(name);
            }
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_string();
                if name == "sdnEntry" && stack.len() == 1 {
                    cur = Some(EntryBuilder::default());
                }
                stack.push(name);
                buf.clear();
            }
            Event::Empty(_) => {}
            Event::Text(t) => buf.push_str(&t.xml10_content()),
            Event::CData(t) => buf.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    buf.push(c);
                } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r) {
                    buf.push_str(s);
                } else {
                    buf.push('&');
                    buf.push_str(&r);
                    buf.push(';');
                }
            }
            Event::End(_) => {
                let value = std::mem::take(&mut buf);
                let rel: Vec<&str> = stack.iter().skip(1).map(String::as_str).collect();
                match rel.as_slice() {
                    ["publshInformation", "Publish_Date"] => {
                        let v = value.trim();
                        match NaiveDate::parse_from_str(v, "%m/%d/%Y") {
                            Ok(d) => out.publish_date = Some(d),
                            Err(_) => out.warnings.push(SetWarning {
                                entry: None,
                                message: format!(
                                    "Publish_Date {v:?} is not MM/DD/YYYY; the list date is unknown"
                                ),
                            }),
                        }
                    }
                    ["publshInformation", "Record_Count"] => {
                        out.record_count = value.trim().parse().ok();
                    }
                    ["sdnEntry"] => {
                        if let Some(b) = cur.take() {
                            let line = line_of(text, reader.buffer_position());
                            out.entries
                                .push(finish_entry(b, path, line, &mut out.warnings)?);
                        }
                    }
                    ["sdnEntry", field] => {
                        if let Some(b) = cur.as_mut() {
                            let v = non_empty(&value);
                            match *field {
                                "uid" => b.uid = v,
                                "lastName" => b.last_name = v,
                                "firstName" => b.first_name = v,
                                "sdnType" => b.sdn_type = v,
                                "remarks" => b.remarks = v,
                                _ => {}
                            }
                        }
                    }
                    ["sdnEntry", "programList", "program"] => {
                        if let (Some(b), Some(v)) = (cur.as_mut(), non_empty(&value)) {
                            b.programs.push(v);
                        }
                    }
                    ["sdnEntry", "akaList", "aka", field] => {
                        if let Some(b) = cur.as_mut() {
                            let v = non_empty(&value);
                            match *field {
                                "type" => b.aka.kind = v,
                                "category" => b.aka.category = v,
                                "lastName" => b.aka.last_name = v,
                                "firstName" => b.aka.first_name = v,
                                _ => {}
                            }
                        }
                    }
                    ["sdnEntry", "akaList", "aka"] => {
                        if let Some(b) = cur.as_mut() {
                            let a = std::mem::take(&mut b.aka);
                            if let Some(name) = full_name(a.last_name, a.first_name) {
                                b.aliases.push(Alias {
                                    kind: a
                                        .kind
                                        .map(|k| normalise_alias_kind(&k))
                                        .unwrap_or_else(|| "aka".into()),
                                    name,
                                    strength: a.category.map(|c| c.to_ascii_lowercase()),
                                });
                            }
                        }
                    }
                    ["sdnEntry", "idList", "id", field] => {
                        if let Some(b) = cur.as_mut() {
                            let v = non_empty(&value);
                            match *field {
                                "idType" => b.id.id_type = v,
                                "idNumber" => b.id.number = v,
                                "idCountry" => b.id.country = v,
                                _ => {}
                            }
                        }
                    }
                    ["sdnEntry", "idList", "id"] => {
                        if let Some(b) = cur.as_mut() {
                            let id = std::mem::take(&mut b.id);
                            if let (Some(label), Some(value)) = (id.id_type, id.number) {
                                b.identifiers.push(Identifier {
                                    label,
                                    value,
                                    country: id.country,
                                });
                            }
                        }
                    }
                    ["sdnEntry", "addressList", "address", "country"] => {
                        if let (Some(b), Some(v)) = (cur.as_mut(), non_empty(&value))
                            && !b.countries.contains(&v)
                        {
                            b.countries.push(v);
                        }
                    }
                    _ => {}
                }
                stack.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !seen_root {
        return Err(ListError::Unrecognised {
            path: path.to_string(),
            message: "no XML element found (expected OFAC's classic XML, <sdnList>)".into(),
        });
    }

    let kind = kind.unwrap_or_else(|| {
        if out.entries.iter().any(Entry::is_cmic) {
            ListKind::Consolidated
        } else {
            ListKind::Sdn
        }
    });
    for e in &mut out.entries {
        e.list_kind = kind;
        if e.is_cmic() {
            let mut w = Vec::new();
            e.cmic = Some(cmic_data(&e.id, &e.identifiers, &mut w));
            out.warnings.extend(w.into_iter().map(|message| SetWarning {
                entry: Some(e.id.clone()),
                message,
            }));
        }
    }
    if let Some(n) = out.record_count
        && n != out.entries.len()
    {
        out.warnings.push(SetWarning {
            entry: None,
            message: format!(
                "Record_Count says {n} entries but the file holds {}",
                out.entries.len()
            ),
        });
    }
    Ok(out)
}

fn finish_entry(
    b: EntryBuilder,
    path: &str,
    line: usize,
    warnings: &mut Vec<SetWarning>,
) -> Result<Entry, ListError> {
    let Some(id) = b.uid else {
        return Err(ListError::Parse {
            path: path.to_string(),
            line,
            message: "sdnEntry without its own <uid>".into(),
        });
    };
    let Some(name) = full_name(b.last_name, b.first_name) else {
        return Err(ListError::Parse {
            path: path.to_string(),
            line,
            message: format!("sdnEntry {id} has no name"),
        });
    };
    let party_type = party_type(b.sdn_type.as_deref()).unwrap_or_else(|| {
        warnings.push(SetWarning {
            entry: Some(id.clone()),
            message: format!(
                "entry {id}: unknown sdnType {:?}; treated as an entity",
                b.sdn_type.as_deref().unwrap_or_default()
            ),
        });
        PartyType::Entity
    });
    let linked_to = b
        .remarks
        .as_deref()
        .map(linked_to_in_xml_remarks)
        .unwrap_or_default();
    Ok(Entry {
        id,
        name,
        party_type,
        programs: b.programs,
        list_kind: ListKind::Consolidated,
        aliases: b.aliases,
        identifiers: b.identifiers,
        linked_to,
        remarks: b.remarks,
        remarks_truncated: false,
        countries: b.countries,
        cmic: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="http://tempuri.org/sdnList.xsd">
  <publshInformation><Publish_Date>05/06/2024</Publish_Date><Record_Count>1</Record_Count></publshInformation>
  <sdnEntry><uid>33114</uid><lastName>SENSETIME GROUP LIMITED</lastName><sdnType>Entity</sdnType>
    <programList><program>CMIC-EO13959</program></programList>
    <idList><id><uid>22776</uid><idType>C.R. No.</idType><idNumber>2162198</idNumber><idCountry>Hong Kong</idCountry></id>
      <id><uid>145488</uid><idType>Listing Date (CMIC)</idType><idNumber>10 Dec 2021</idNumber></id></idList>
    <akaList><aka><uid>33114</uid><type>a.k.a.</type><category>strong</category><lastName>SENSETIME GROUP LTD</lastName></aka></akaList>
    <addressList><address><uid>49789</uid><address1>Block 1, 1F &amp; 2F</address1><country>China</country></address></addressList></sdnEntry>
</sdnList>"#;

    #[test]
    fn reads_an_entry_with_colliding_uids() {
        let p = parse_classic_xml("x.xml", SAMPLE.as_bytes(), None).unwrap();
        assert_eq!(p.publish_date, NaiveDate::from_ymd_opt(2024, 5, 6));
        assert_eq!(p.record_count, Some(1));
        assert_eq!(p.entries.len(), 1);
        let e = &p.entries[0];
        assert_eq!(e.id, "33114");
        assert_eq!(e.list_kind, ListKind::Consolidated);
        assert_eq!(e.aliases[0].kind, "aka");
        assert_eq!(e.aliases[0].strength.as_deref(), Some("strong"));
        assert_eq!(e.countries, ["China"]);
        assert_eq!(e.identifiers[0].country.as_deref(), Some("Hong Kong"));
        let c = e.cmic.as_ref().unwrap();
        assert_eq!(c.listing_date, NaiveDate::from_ymd_opt(2021, 12, 10));
        assert_eq!(c.registrations.len(), 1);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
    }

    #[test]
    fn other_roots_and_broken_xml_are_errors() {
        let e = parse_classic_xml("adv.xml", b"<Sanctions xmlns=\"x\"></Sanctions>", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("adv.xml:") && e.contains("advanced"), "{e}");
        let e = parse_classic_xml("b.xml", b"<sdnList>\n<sdnEntry><uid>1</x>", None)
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("b.xml: line 2"), "{e}");
    }
}
