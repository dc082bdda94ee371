//! Fixtures in the published forms of `SDN_ADVANCED.XML`, `SDN_ENHANCED.XML`, `SDN.XML` and
//! `sdn.csv`, written by hand with addresses from the real OFAC lists.

use super::*;
use crate::import::{Collected, ImportOptions};

/// SDN_ADVANCED.XML: reference values first, then parties, then sanctions entries.
pub(crate) const ADVANCED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<Sanctions xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">
  <DateOfIssue><Year>2024</Year><Month>9</Month><Day>27</Day></DateOfIssue>
  <ReferenceValueSets>
    <FeatureTypeValues>
      <FeatureType ID="8" FeatureTypeGroupID="1">Birthdate</FeatureType>
      <FeatureType ID="344" FeatureTypeGroupID="1">Digital Currency Address - XBT</FeatureType>
      <FeatureType ID="345" FeatureTypeGroupID="1">Digital Currency Address - ETH</FeatureType>
      <FeatureType ID="566" FeatureTypeGroupID="1">Digital Currency Address - XMR</FeatureType>
      <FeatureType ID="887" FeatureTypeGroupID="1">Digital Currency Address - USDT</FeatureType>
    </FeatureTypeValues>
    <SanctionsTypeValues>
      <SanctionsType ID="1">Program</SanctionsType>
      <SanctionsType ID="2">Block</SanctionsType>
    </SanctionsTypeValues>
  </ReferenceValueSets>
  <DistinctParties>
    <DistinctParty FixedRef="36">
      <Profile ID="36" PartySubTypeID="3">
        <Identity ID="8" FixedRef="36" Primary="true" False="false">
          <Alias FixedRef="36" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="36" FixedRef="36" DocNameStatusID="1">
              <DocumentedNamePart><NamePartValue NamePartGroupID="1" ScriptID="215" ScriptStatusID="1" Acronym="false">AEROCARIBBEAN AIRLINES</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
        </Identity>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="32587">
      <Profile ID="32587" PartySubTypeID="3">
        <Identity ID="41080" FixedRef="32587" Primary="true" False="false">
          <Alias FixedRef="32587" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="70134" FixedRef="32587" DocNameStatusID="1">
              <DocumentedNamePart><NamePartValue NamePartGroupID="70410" ScriptID="215" ScriptStatusID="1" Acronym="false">TORNADO CASH</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
          <Alias FixedRef="32587" AliasTypeID="1400" Primary="false" LowQuality="false">
            <DocumentedName ID="70135" FixedRef="32587" DocNameStatusID="2">
              <DocumentedNamePart><NamePartValue NamePartGroupID="70411" ScriptID="215" ScriptStatusID="1" Acronym="false">TORNADO.CASH</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
        </Identity>
        <Feature ID="46512" FeatureTypeID="345">
          <FeatureVersion ID="46042" ReliabilityID="1">
            <VersionDetail DetailTypeID="1432">0x8589427373D6D84E98730D7795D8f6f8731FDA16</VersionDetail>
          </FeatureVersion>
          <IdentityReference IdentityID="41080" IdentityFeatureLinkTypeID="1" />
        </Feature>
        <Feature ID="46513" FeatureTypeID="566">
          <FeatureVersion ID="46043" ReliabilityID="1">
            <VersionDetail DetailTypeID="1432">5AHvRU9Bs1jXUWtCAkbtAeXLRBGV6UqvjKGfRzYk8iVbJvLJ5npC7X8TBCJGFDqvaqAc4L93Tzb8bH3ZGw8U8ezBQSRnA2Q</VersionDetail>
          </FeatureVersion>
        </Feature>
      </Profile>
    </DistinctParty>
    <DistinctParty FixedRef="41237">
      <Profile ID="41237" PartySubTypeID="4">
        <Identity ID="45001" FixedRef="41237" Primary="true" False="false">
          <Alias FixedRef="41237" AliasTypeID="1403" Primary="true" LowQuality="false">
            <DocumentedName ID="80001" FixedRef="41237" DocNameStatusID="1">
              <DocumentedNamePart><NamePartValue NamePartGroupID="1" ScriptID="215" ScriptStatusID="1" Acronym="false">KHORASHADIZADEH</NamePartValue></DocumentedNamePart>
              <DocumentedNamePart><NamePartValue NamePartGroupID="2" ScriptID="215" ScriptStatusID="1" Acronym="false">Ali</NamePartValue></DocumentedNamePart>
            </DocumentedName>
          </Alias>
        </Identity>
        <Feature ID="50001" FeatureTypeID="344">
          <FeatureVersion ID="50002" ReliabilityID="1">
            <VersionDetail DetailTypeID="1432">123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX</VersionDetail>
          </FeatureVersion>
        </Feature>
        <Feature ID="50003" FeatureTypeID="887">
          <FeatureVersion ID="50004" ReliabilityID="1">
            <VersionDetail DetailTypeID="1432">TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre</VersionDetail>
          </FeatureVersion>
        </Feature>
      </Profile>
    </DistinctParty>
  </DistinctParties>
  <SanctionsEntries>
    <SanctionsEntry ID="32587" ProfileID="32587" ListID="1550">
      <EntryEvent ID="32587" EntryEventTypeID="1" LegalBasisID="1"><Date CalendarTypeID="1"><Year>2022</Year><Month>8</Month><Day>8</Day></Date></EntryEvent>
      <SanctionsMeasure ID="111" SanctionsTypeID="2"><Comment /></SanctionsMeasure>
      <SanctionsMeasure ID="112" SanctionsTypeID="1"><Comment>CYBER2</Comment></SanctionsMeasure>
    </SanctionsEntry>
    <SanctionsEntry ID="41237" ProfileID="41237" ListID="1550">
      <SanctionsMeasure ID="113" SanctionsTypeID="1"><Comment>CYBER2</Comment></SanctionsMeasure>
      <SanctionsMeasure ID="114" SanctionsTypeID="1"><Comment>IRAN-EO13846</Comment></SanctionsMeasure>
    </SanctionsEntry>
  </SanctionsEntries>
</Sanctions>
"#;

/// SDN.XML (the classic schema).
pub(crate) const CLASSIC: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">
  <publshInformation><Publish_Date>09/27/2024</Publish_Date><Record_Count>2</Record_Count></publshInformation>
  <sdnEntry>
    <uid>22603</uid>
    <lastName>SUEX OTC, S.R.O.</lastName>
    <sdnType>Entity</sdnType>
    <programList><program>CYBER2</program></programList>
    <idList>
      <id><uid>143221</uid><idType>Digital Currency Address - XBT</idType><idNumber>125W5ek3DT6Zqy5S2iPt4FHQdNMCbZA3FU</idNumber></id>
      <id><uid>143222</uid><idType>Digital Currency Address - ETH</idType><idNumber>0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535</idNumber></id>
      <id><uid>143223</uid><idType>Digital Currency Address - LTC</idType><idNumber>LZ3DGUL8ZNwoxJDCjbJiF2GQjj3kZgy3ex</idNumber></id>
      <id><uid>143224</uid><idType>Company Number</idType><idNumber>25665</idNumber></id>
    </idList>
  </sdnEntry>
  <sdnEntry>
    <uid>111</uid>
    <firstName>Ali</firstName>
    <lastName>KHORASHADIZADEH &amp; CO</lastName>
    <sdnType>Individual</sdnType>
    <programList><program>CYBER2</program><program>IRAN-EO13846</program></programList>
    <idList><id><uid>5</uid><idType>Digital Currency Address - XBT</idType><idNumber>1295rkVyNfFpqZpXvKGhDqwhP1jZcNNDMV</idNumber></id></idList>
  </sdnEntry>
</sdnList>
"#;

/// SDN_ENHANCED.XML in its own schema.
pub(crate) const ENHANCED: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<sanctionsData xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ENHANCED_XML">
  <publicationInfo><dataAsOf>2024-09-27T00:00:00</dataAsOf></publicationInfo>
  <entities>
    <entity id="32587">
      <generalInfo><identityId>41080</identityId><entityType refId="600">Entity</entityType></generalInfo>
      <sanctionsLists><sanctionsList refId="1550" id="1" datePublished="2022-08-08">SDN List</sanctionsList></sanctionsLists>
      <sanctionsPrograms><sanctionsProgram refId="1" id="2">CYBER2</sanctionsProgram></sanctionsPrograms>
      <names>
        <name id="70134"><isPrimary>true</isPrimary><translations><translation id="1"><isPrimary>true</isPrimary>
          <formattedFullName>TORNADO CASH</formattedFullName></translation></translations></name>
      </names>
      <features>
        <feature id="46512"><type featureTypeId="345">Digital Currency Address - ETH</type><versionId>46042</versionId>
          <value>0x8589427373D6D84E98730D7795D8f6f8731FDA16</value></feature>
        <feature id="46514"><type featureTypeId="8">Organization Established Date</type><value>2019</value></feature>
      </features>
    </entity>
  </entities>
</sanctionsData>
"#;

/// sdn.csv: no header, `-0-` for empty, addresses in the remarks, the Ctrl-Z end mark.
pub(crate) const CSV: &str = "36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n\
22603,\"SUEX OTC, S.R.O.\",-0- ,\"CYBER2\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Digital Currency Address - XBT 125W5ek3DT6Zqy5S2iPt4FHQdNMCbZA3FU; alt. Digital Currency Address - ETH 0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535; alt. Digital Currency Address - QQQ Q123; Company Number 25665 (Czech Republic).\"\r\n\
41237,\"KHORASHADIZADEH, Ali\",\"individual\",\"CYBER2] [IRAN-EO13846\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Digital Currency Address - XBT 123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX; alt. Digital Currency Address - USDT TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre.\"\r\n\
\x1a\r\n";

pub(crate) fn run(
    read: fn(&mut dyn BufRead, &ReadContext<'_>, &mut dyn Sink) -> Result<(), ReadError>,
    name: &str,
    text: &str,
) -> Result<Collected, ReadError> {
    let opts = ImportOptions::default();
    let ctx = ReadContext { file_name: name, path: None, options: &opts };
    let mut sink = Collected::default();
    read(&mut text.as_bytes(), &ctx, &mut sink)?;
    Ok(sink)
}

fn brief(c: &Collected) -> Vec<String> {
    c.labels
        .iter()
        .map(|l| {
            format!(
                "{} {} {} {} {} | {} | {:?}",
                l.line,
                l.chain,
                l.address,
                l.category.name(),
                l.entity,
                l.source,
                l.actor
            )
        })
        .collect()
}

#[test]
fn advanced_xml_parties_features_and_programs() {
    let c = run(read_xml, "SDN_ADVANCED.XML", ADVANCED).unwrap_or_default();
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!(
        brief(&c),
        [
            "45 ethereum 0x8589427373d6d84e98730d7795d8f6f8731fda16 sanctioned TORNADO CASH | OFAC SDN uid 32587, program CYBER2 (SDN_ADVANCED.XML) | Some(\"TORNADO CASH\")",
            "68 bitcoin 123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX sanctioned KHORASHADIZADEH Ali | OFAC SDN uid 41237, programs CYBER2, IRAN-EO13846 (SDN_ADVANCED.XML) | Some(\"KHORASHADIZADEH Ali\")",
            "73 tron TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre sanctioned KHORASHADIZADEH Ali | OFAC SDN uid 41237, programs CYBER2, IRAN-EO13846 (SDN_ADVANCED.XML) | Some(\"KHORASHADIZADEH Ali\")",
        ]
    );
    assert_eq!(c.labels.first().and_then(|l| l.added_by.as_deref()), Some(PUBLISHER));
    // The XMR address is counted, naming the code; the party without addresses too.
    assert_eq!(c.skipped.get("OFAC address of currency XMR, which has no chain in hoptrace's registry"), Some(&1));
    assert_eq!(c.skipped.get("SDN entry without a digital currency address"), Some(&1));
    assert_eq!(c.rows, 4);
}

#[test]
fn classic_xml_ids() {
    let c = run(read_xml, "SDN.XML", CLASSIC).unwrap_or_default();
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!(
        brief(&c),
        [
            "10 bitcoin 125W5ek3DT6Zqy5S2iPt4FHQdNMCbZA3FU sanctioned SUEX OTC, S.R.O. | OFAC SDN uid 22603, program CYBER2 (SDN.XML) | Some(\"SUEX OTC, S.R.O.\")",
            "11 ethereum 0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535 sanctioned SUEX OTC, S.R.O. | OFAC SDN uid 22603, program CYBER2 (SDN.XML) | Some(\"SUEX OTC, S.R.O.\")",
            "22 bitcoin 1295rkVyNfFpqZpXvKGhDqwhP1jZcNNDMV sanctioned KHORASHADIZADEH & CO, Ali | OFAC SDN uid 111, programs CYBER2, IRAN-EO13846 (SDN.XML) | Some(\"KHORASHADIZADEH & CO, Ali\")",
        ]
    );
    assert_eq!(c.skipped.get("OFAC address of currency LTC, which has no chain in hoptrace's registry"), Some(&1));
}

#[test]
fn enhanced_xml_entities() {
    let c = run(read_xml, "SDN_ENHANCED.XML", ENHANCED).unwrap_or_default();
    assert_eq!(
        brief(&c),
        [
            "15 ethereum 0x8589427373d6d84e98730d7795d8f6f8731fda16 sanctioned TORNADO CASH | OFAC SDN uid 32587, program CYBER2 (SDN_ENHANCED.XML) | Some(\"TORNADO CASH\")"
        ]
    );
    assert_eq!(c.rows, 1);
}

#[test]
fn sdn_csv_remarks() {
    let c = run(read_csv, "sdn.csv", CSV).unwrap_or_default();
    assert!(c.refused.is_empty(), "{:?}", c.refused);
    assert_eq!(
        brief(&c),
        [
            "2 bitcoin 125W5ek3DT6Zqy5S2iPt4FHQdNMCbZA3FU sanctioned SUEX OTC, S.R.O. | OFAC SDN uid 22603, program CYBER2 (sdn.csv) | Some(\"SUEX OTC, S.R.O.\")",
            "2 ethereum 0x2f389ce8bd8ff92de3402ffce4691d17fc4f6535 sanctioned SUEX OTC, S.R.O. | OFAC SDN uid 22603, program CYBER2 (sdn.csv) | Some(\"SUEX OTC, S.R.O.\")",
            "3 bitcoin 123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX sanctioned KHORASHADIZADEH, Ali | OFAC SDN uid 41237, programs CYBER2, IRAN-EO13846 (sdn.csv) | Some(\"KHORASHADIZADEH, Ali\")",
            "3 tron TBHTJqAy4DhHhmT3dNceJYNRz4SdLofLre sanctioned KHORASHADIZADEH, Ali | OFAC SDN uid 41237, programs CYBER2, IRAN-EO13846 (sdn.csv) | Some(\"KHORASHADIZADEH, Ali\")",
        ]
    );
    // The unmappable code QQQ is a counted skip naming it, never a guess.
    assert_eq!(c.skipped.get("OFAC address of currency QQQ, which has no chain in hoptrace's registry"), Some(&1));
    assert_eq!(c.skipped.get("SDN entry without a digital currency address"), Some(&1));
    assert_eq!(c.skipped.get("end-of-file mark (Ctrl-Z)"), Some(&1));
}

#[test]
fn malformed_sdn_files_are_refused_exactly() {
    let err = |read, name, text: &str| run(read, name, text).err().map(|e| e.to_string()).unwrap_or_default();
    // Cut short inside an element.
    let cut = CLASSIC.split("<sdnEntry>\n    <uid>111").next().unwrap_or_default();
    assert_eq!(
        err(read_xml, "SDN.XML", cut),
        "line 16: the XML ends inside <sdnList> (the file is cut short): expected its closing </sdnList>"
    );
    let cut = &ADVANCED[..ADVANCED.find("<VersionDetail DetailTypeID=\"1432\">0x85").unwrap_or(0) + 60];
    assert!(
        err(read_xml, "SDN_ADVANCED.XML", cut).starts_with("line 45: "),
        "{}",
        err(read_xml, "SDN_ADVANCED.XML", cut)
    );
    assert_eq!(
        err(read_xml, "x.xml", "<?xml version=\"1.0\"?>\n<graphml></graphml>\n"),
        "line 2: found the root element <graphml>: expected an OFAC SDN XML file: <Sanctions> (SDN_ADVANCED.XML), <sanctionsData> (SDN_ENHANCED.XML) or <sdnList> (SDN.XML)"
    );
    let mismatched = err(read_xml, "x.xml", "<sdnList>\n<sdnEntry></sdnList>\n");
    assert_eq!(
        mismatched,
        "line 2: XML syntax error (ill-formed document: expected `</sdnEntry>`, but `</sdnList>` was found): expected an OFAC SDN XML file: <Sanctions> (SDN_ADVANCED.XML), <sanctionsData> (SDN_ENHANCED.XML) or <sdnList> (SDN.XML)"
    );
    assert_eq!(
        err(read_csv, "sdn.csv", ""),
        "line 1: found no entry: expected sdn.csv rows `ent_num,SDN_Name,…,Remarks`"
    );
    // A bad row and a bad address are row refusals.
    let text = "x,\"A\",-0- ,\"CYBER2\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n\
                7,\"B\",-0- ,\"CYBER2\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,\"Digital Currency Address - ETH 0x2f389ce8bd8ff92de3402ffce4691d17fc4f65;\"\n\
                8,\"C\",-0-\n";
    let c = run(read_csv, "sdn.csv", text).unwrap_or_default();
    let got: Vec<(u64, &str, &str)> =
        c.refused.iter().map(|r| (r.line, r.field.as_str(), r.message.as_str())).collect();
    assert_eq!(got.first().copied(), Some((1, "ent_num", "found \"x\": expected the entry number")));
    assert!(
        got.get(1).is_some_and(|g| g.0 == 2
            && g.1 == "Remarks"
            && g.2.starts_with("found \"0x2f389ce8bd8ff92de3402ffce4691d17fc4f65\": expected a ethereum address")),
        "{got:?}"
    );
    assert_eq!(
        got.get(2).copied(),
        Some((3, "row", "found 3 cells: expected the 12 columns of sdn.csv (ent_num … Remarks)"))
    );
}
