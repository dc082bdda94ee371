//! Streaming reader of the three OFAC SDN XML schemas (see [`super`]): the root element says
//! which one, and one pass of quick-xml events fills [`Party`] records.

use std::collections::BTreeMap;
use std::io::{BufRead, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::{ADDRESS_TYPE, Listed, Party, emit};
use crate::import::{ReadContext, ReadError, Sink};

const EXPECTED: &str = "expected an OFAC SDN XML file: <Sanctions> (SDN_ADVANCED.XML), <sanctionsData> (SDN_ENHANCED.XML) or <sdnList> (SDN.XML)";

/// A [`BufRead`] that counts the line breaks of what its reader consumed.
struct Lines<'a> {
    inner: &'a mut dyn BufRead,
    breaks: u64,
}

impl Read for Lines<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(out)?;
        self.breaks += out.get(..n).map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count() as u64);
        Ok(n)
    }
}

impl BufRead for Lines<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        self.inner.fill_buf()
    }
    fn consume(&mut self, amt: usize) {
        if let Ok(buf) = self.inner.fill_buf() {
            self.breaks += buf.get(..amt).unwrap_or(buf).iter().filter(|&&c| c == b'\n').count() as u64;
        }
        self.inner.consume(amt);
    }
}

/// Which schema the root element announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Schema {
    /// `<Sanctions>`: SDN_ADVANCED.XML (and SDN_ENHANCED.XML in the same elements).
    Advanced,
    /// `<sanctionsData>`: SDN_ENHANCED.XML.
    Enhanced,
    /// `<sdnList>`: SDN.XML.
    Classic,
}

/// What the reader is in the middle of.
#[derive(Default)]
struct State {
    party: Option<Party>,
    /// Advanced: feature type id → name; sanctions type id → name.
    feature_types: BTreeMap<String, String>,
    sanctions_types: BTreeMap<String, String>,
    ref_id: String,
    primary_identity: bool,
    naming: bool,
    name_parts: Vec<String>,
    /// The currency code of the feature or id being read, when it is an address.
    code: Option<String>,
    id_type: String,
    value: Option<(String, u64)>,
    /// Advanced: parties with addresses, waiting for their programs.
    pending: Vec<Party>,
    by_profile: BTreeMap<String, usize>,
    profile: Option<String>,
    entry_profile: Option<String>,
    program_measure: bool,
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

/// Reads an OFAC SDN XML file (see [`super`]) into `sink`.
///
/// # Errors
/// [`ReadError::Format`] for malformed XML (with its line), a file cut short inside an element,
/// or a root element of another schema.
pub fn read(input: &mut dyn BufRead, ctx: &ReadContext<'_>, sink: &mut dyn Sink) -> Result<(), ReadError> {
    let mut reader = Reader::from_reader(Lines { inner: input, breaks: 0 });
    let mut buf = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut schema = None;
    let mut st = State::default();
    loop {
        let event = reader.read_event_into(&mut buf);
        let line = reader.get_mut().breaks + 1;
        match event {
            Err(e) => {
                return Err(ReadError::format(line, format!("XML syntax error ({e}): {EXPECTED}")));
            }
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref().as_bytes()).into_owned();
                let s = root(&mut schema, &name, line)?;
                text.clear();
                start(s, &mut st, &name, &e, line);
                stack.push(name);
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref().as_bytes()).into_owned();
                let s = root(&mut schema, &name, line)?;
                text.clear();
                start(s, &mut st, &name, &e, line);
                end(s, &mut st, &name, stack.last().map_or("", String::as_str), "", line, ctx.file_name, sink)?;
            }
            Ok(Event::End(_)) => {
                let name = stack.pop().unwrap_or_default();
                if let Some(s) = schema {
                    let parent = stack.last().map_or("", String::as_str);
                    end(s, &mut st, &name, parent, text.trim(), line, ctx.file_name, sink)?;
                }
                text.clear();
            }
            Ok(Event::Text(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::CData(t)) => text.push_str(&t.xml10_content()),
            Ok(Event::GeneralRef(r)) => {
                let named = match r.xml10_content().as_ref() {
                    "amp" => Some('&'),
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    _ => None,
                };
                match named.map_or_else(|| r.resolve_char_ref().ok().flatten(), Some) {
                    Some(c) => text.push(c),
                    None => {
                        let m =
                            format!("found the entity &{};: expected text or a predefined entity", r.xml10_content());
                        return Err(ReadError::format(line, m));
                    }
                }
            }
            Ok(_) => {}
        }
        buf.clear();
    }
    let line = reader.get_mut().breaks + 1;
    if let Some(open) = stack.last() {
        return Err(ReadError::format(
            line,
            format!("the XML ends inside <{open}> (the file is cut short): expected its closing </{open}>"),
        ));
    }
    if schema.is_none() {
        return Err(ReadError::format(line, format!("found no XML element: {EXPECTED}")));
    }
    for p in std::mem::take(&mut st.pending) {
        emit(&p, ctx.file_name, sink)?;
    }
    Ok(())
}

/// The schema, decided by the first element.
fn root(schema: &mut Option<Schema>, name: &str, line: u64) -> Result<Schema, ReadError> {
    if let Some(s) = schema {
        return Ok(*s);
    }
    let s = match name {
        "Sanctions" => Schema::Advanced,
        "sanctionsData" => Schema::Enhanced,
        "sdnList" => Schema::Classic,
        other => return Err(ReadError::format(line, format!("found the root element <{other}>: {EXPECTED}"))),
    };
    *schema = Some(s);
    Ok(s)
}

fn code_of(type_name: &str) -> Option<String> {
    type_name.trim().strip_prefix(ADDRESS_TYPE).map(|c| c.trim().to_owned())
}

fn start(schema: Schema, st: &mut State, name: &str, e: &BytesStart<'_>, line: u64) {
    match (schema, name) {
        (Schema::Classic, "sdnEntry") | (Schema::Enhanced, "entity") => {
            st.party = Some(Party { line, uid: attr(e, "id").unwrap_or_default(), ..Party::default() });
        }
        (Schema::Classic, "id") | (Schema::Enhanced, "feature") => {
            st.id_type.clear();
            st.value = None;
        }
        (Schema::Advanced, "FeatureType" | "SanctionsType") => st.ref_id = attr(e, "ID").unwrap_or_default(),
        (Schema::Advanced, "DistinctParty") => {
            st.party = Some(Party { line, uid: attr(e, "FixedRef").unwrap_or_default(), ..Party::default() });
        }
        (Schema::Advanced, "Profile") => st.profile = attr(e, "ID"),
        (Schema::Advanced, "Identity") => st.primary_identity = attr(e, "Primary").as_deref() == Some("true"),
        (Schema::Advanced, "Alias") => {
            let named = st.party.as_ref().is_some_and(|p| !p.name.is_empty());
            st.naming = st.primary_identity && !named && attr(e, "Primary").as_deref() == Some("true");
            st.name_parts.clear();
        }
        (Schema::Advanced, "Feature") => {
            st.code = attr(e, "FeatureTypeID").and_then(|id| st.feature_types.get(&id)).and_then(|t| code_of(t));
        }
        (Schema::Advanced, "SanctionsEntry") => st.entry_profile = attr(e, "ProfileID"),
        (Schema::Advanced, "SanctionsMeasure") => {
            st.program_measure = attr(e, "SanctionsTypeID")
                .and_then(|id| st.sanctions_types.get(&id))
                .is_some_and(|t| t.eq_ignore_ascii_case("program"));
        }
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn end(
    schema: Schema,
    st: &mut State,
    name: &str,
    parent: &str,
    text: &str,
    line: u64,
    file: &str,
    sink: &mut dyn Sink,
) -> Result<(), ReadError> {
    let push = |st: &mut State, field: &'static str| {
        if let (Some(code), Some((address, line)), Some(p)) = (st.code.take(), st.value.take(), st.party.as_mut()) {
            p.addresses.push(Listed { code, address, line, field });
        }
    };
    match (schema, name, parent) {
        // SDN.XML
        (Schema::Classic, "uid", "sdnEntry") => {
            if let Some(p) = st.party.as_mut() {
                p.uid = text.to_owned();
            }
        }
        (Schema::Classic, "lastName", "sdnEntry") => {
            if let Some(p) = st.party.as_mut() {
                p.name = if p.name.is_empty() { text.to_owned() } else { format!("{text}, {}", p.name) };
            }
        }
        (Schema::Classic, "firstName", "sdnEntry") => {
            if let Some(p) = st.party.as_mut() {
                p.name = if p.name.is_empty() { text.to_owned() } else { format!("{}, {text}", p.name) };
            }
        }
        (Schema::Classic, "program", "programList") | (Schema::Enhanced, "sanctionsProgram", _) => {
            if let Some(p) = st.party.as_mut()
                && !text.is_empty()
            {
                p.programs.push(text.to_owned());
            }
        }
        (Schema::Classic, "idType", "id") => {
            st.id_type = text.to_owned();
            st.code = code_of(text);
        }
        (Schema::Classic, "idNumber", "id") | (Schema::Enhanced, "value", "feature") => {
            st.value = Some((text.to_owned(), line));
        }
        (Schema::Classic, "id", _) => push(st, "idNumber"),
        (Schema::Classic, "sdnEntry", _) | (Schema::Enhanced, "entity", _) => {
            if let Some(p) = st.party.take() {
                emit(&p, file, sink)?;
            }
        }
        // SDN_ENHANCED.XML
        (Schema::Enhanced, "formattedFullName", _) => {
            if let Some(p) = st.party.as_mut()
                && p.name.is_empty()
            {
                p.name = text.to_owned();
            }
        }
        (Schema::Enhanced, "type", "feature") => st.code = code_of(text),
        (Schema::Enhanced, "feature", _) => push(st, "value"),
        // SDN_ADVANCED.XML
        (Schema::Advanced, "FeatureType", _) => {
            st.feature_types.insert(std::mem::take(&mut st.ref_id), text.to_owned());
        }
        (Schema::Advanced, "SanctionsType", _) => {
            st.sanctions_types.insert(std::mem::take(&mut st.ref_id), text.to_owned());
        }
        (Schema::Advanced, "NamePartValue", _) if st.naming && !text.is_empty() => st.name_parts.push(text.to_owned()),
        (Schema::Advanced, "Alias", _) if st.naming => {
            st.naming = false;
            if let Some(p) = st.party.as_mut() {
                p.name = st.name_parts.join(" ");
            }
        }
        (Schema::Advanced, "VersionDetail", _) if st.code.is_some() => st.value = Some((text.to_owned(), line)),
        (Schema::Advanced, "FeatureVersion", _) => {
            // One address per version; the feature's code stays for the next version.
            let code = st.code.clone();
            push(st, "VersionDetail");
            st.code = code;
        }
        (Schema::Advanced, "Feature", _) => st.code = None,
        (Schema::Advanced, "DistinctParty", _) => {
            if let Some(p) = st.party.take() {
                let profile = st.profile.take();
                if p.addresses.is_empty() {
                    emit(&p, file, sink)?;
                } else {
                    // SanctionsEntry names the profile (its ID equals the party's FixedRef).
                    for key in profile.into_iter().chain([p.uid.clone()]) {
                        st.by_profile.insert(key, st.pending.len());
                    }
                    st.pending.push(p);
                }
            }
        }
        (Schema::Advanced, "Comment", "SanctionsMeasure") if st.program_measure && !text.is_empty() => {
            let at = st.entry_profile.as_ref().and_then(|id| st.by_profile.get(id)).copied();
            if let Some(p) = at.and_then(|i| st.pending.get_mut(i))
                && !p.programs.iter().any(|x| x == text)
            {
                p.programs.push(text.to_owned());
            }
        }
        (Schema::Advanced, "SanctionsEntry", _) => st.entry_profile = None,
        _ => {}
    }
    Ok(())
}
