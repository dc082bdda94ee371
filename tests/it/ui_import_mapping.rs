//! The window's mapping import driven through AccessKit labels (egui_kittest, no GPU): open
//! File > Import with mapping… for an unknown CSV, assign its columns through the labelled
//! combo boxes, read the preview's counts, save the profile, import; and a CSV the readers do
//! not recognise offered to the mapping, whose chain the window then asks for.
#![cfg(feature = "gui")]

use crate::common;

use std::path::{Path, PathBuf};

use common::ui::{demo_case, harness, step_until};
use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use hoptrace::import::mapping::{AssetSource, Profile, ProfileStore, StatusColumn, TimeColumn, TimeFormat};
use hoptrace::ui::WorkbenchApp;
use hoptrace::ui::files::FakeDialogs;

/// A bank-style OTC ledger no reader knows: `;` separated, decimal commas.
const OTC: &str = "Date;Ref;Sender;Receiver;Qty;Coin;Status
2023-05-02 12:19:00;0x1111111111111111111111111111111111111111111111111111111111111111;0x8589427373d6d84e98730d7795d8f6f8731fda16;0x722122df12d4e14e13ac3b6895a86e84145b6967;1.250,5;0xdac17f958d2ee523a2206206994597c13d831ec7;Booked
2023-05-02 12:20:00;0x2222222222222222222222222222222222222222222222222222222222222222;0x722122df12d4e14e13ac3b6895a86e84145b6967;0x8589427373d6d84e98730d7795d8f6f8731fda16;7,4;ETH;Booked
2023-05-03 09:00:00;0x3333333333333333333333333333333333333333333333333333333333333333;0x722122df12d4e14e13ac3b6895a86e84145b6967;0x8589427373d6d84e98730d7795d8f6f8731fda16;0,5;ETH;Returned
";

fn app_with(dir: &Path, file: &Path) -> WorkbenchApp {
    let dialogs = FakeDialogs { import: vec![vec![file.to_owned()]], ..FakeDialogs::default() };
    let mut app = WorkbenchApp::new(Box::new(dialogs));
    app.open(&demo_case(dir));
    app.import_ui.profiles = ProfileStore::at(dir.join("profiles"));
    app
}

fn pick(h: &mut Harness<'static, WorkbenchApp>, combo: &str, item: &str) {
    h.get_by_role_and_label(Role::ComboBox, combo).click();
    h.run();
    h.get_by_role_and_label(Role::Button, item).click();
    h.run();
}

fn type_into(h: &mut Harness<'static, WorkbenchApp>, field: &str, text: &str) {
    h.get_by_role_and_label(Role::TextInput, field).focus();
    h.run();
    h.get_by_role_and_label(Role::TextInput, field).type_text(text);
    h.run();
}

/// The import batches of the case's ledger: (format, chain, options JSON).
fn batches(ledger: &Path) -> Vec<(String, Option<String>, String)> {
    let conn = rusqlite::Connection::open(ledger).expect("ledger");
    let mut stmt = conn.prepare("SELECT format, chain, options FROM import_batches ORDER BY id").expect("prepare");
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?))).expect("query").map(|r| r.expect("row")).collect()
}

fn ledger_of(h: &Harness<'static, WorkbenchApp>) -> PathBuf {
    h.state().session.as_ref().expect("case").inv.ledger().source().file().expect("a ledger file").to_owned()
}

#[test]
fn assign_columns_preview_save_and_import() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("otc-ledger.csv");
    std::fs::write(&file, OTC).expect("write");
    let mut h = harness(app_with(dir.path(), &file));
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import with mapping… Ctrl+Shift+I").click();
    h.run();
    assert!(h.state().import_ui.mapping.is_some(), "the mapping dialog is open");
    // The header's `;` was taken as the separator: the columns are offered by name.
    assert_eq!(
        h.state().import_ui.mapping.as_ref().map(|d| d.header()),
        Some(["Date", "Ref", "Sender", "Receiver", "Qty", "Coin", "Status"].map(String::from).to_vec())
    );
    pick(&mut h, "Chain", "ethereum");
    pick(&mut h, "Tx hash column", "2: Ref");
    pick(&mut h, "From column", "3: Sender");
    pick(&mut h, "To column", "4: Receiver");
    pick(&mut h, "Amount column", "5: Qty");
    pick(&mut h, "Asset column", "6: Coin");
    pick(&mut h, "Amount unit", "display units (1.5 ETH)");
    pick(&mut h, "Time column", "1: Date");
    pick(&mut h, "Time format", "Pattern (strftime)");
    // Without decimal commas the amounts are refused, and the preview says so.
    let counts = |h: &mut Harness<'static, WorkbenchApp>| {
        h.state_mut().import_ui.mapping.as_mut().map(hoptrace::ui::mapping_dialog::MappingDialog::preview_counts)
    };
    assert_eq!(counts(&mut h), Some(Ok((3, 0, 3))));
    h.get_by_label("Decimal comma (1.234,56)").click();
    h.run();
    pick(&mut h, "Status column", "7: Status");
    type_into(&mut h, "Success values", "Booked");
    type_into(&mut h, "Failed values", "Returned");
    assert_eq!(counts(&mut h), Some(Ok((3, 3, 0))));
    h.get_by_label("Preview of the first 50 rows: 3 rows read, 3 transfers, 0 refused");

    h.get_by_label("Save profile as…").click();
    h.run();
    let saved = ProfileStore::at(dir.path().join("profiles")).load("otc-ledger").expect("saved profile");
    assert_eq!(saved.profile.tx_hash, "Ref");
    assert_eq!(saved.profile.delimiter, ';');
    assert!(saved.profile.decimal_comma);
    assert_eq!(
        saved.profile.status,
        Some(StatusColumn { column: "Status".into(), success: vec!["Booked".into()], failed: vec!["Returned".into()] })
    );

    let before = batches(&ledger_of(&h)).len();
    h.get_by_label("Import").click();
    h.step();
    step_until(&mut h, 60, "the mapped import", |a| a.importing.is_none());
    assert!(h.state().import_ui.mapping.is_none(), "the dialog closed");
    let all = batches(&ledger_of(&h));
    assert_eq!(all.len(), before + 1, "{:?}", h.state().notices);
    let (format, chain, options) = all.last().cloned().expect("batch");
    assert_eq!((format.as_str(), chain.as_deref()), ("mapped", Some("ethereum")));
    let json: serde_json::Value = serde_json::from_str(&options).expect("options");
    assert_eq!(json["profile"]["name"], "otc-ledger");
    assert_eq!(json["profile"]["sha256"].as_str(), Some(saved.sha256.as_str()));
    let notice = h.state().notices.iter().map(|n| n.text.clone()).collect::<Vec<_>>().join("\n");
    assert!(notice.contains("otc-ledger.csv: 3 transfers, 0 labels imported"), "{notice}");
}

#[test]
fn an_unrecognised_csv_is_offered_to_the_mapping_and_its_chain_asked() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("otc-ledger.csv");
    std::fs::write(&file, OTC).expect("write");
    // A saved profile that leaves the chain to the import.
    let open = Profile {
        delimiter: ';',
        decimal_comma: true,
        asset: AssetSource::Native,
        time: Some(TimeColumn { column: "Date".into(), format: TimeFormat::Pattern(TimeFormat::ISO_PATTERN.into()) }),
        ..Profile::new("Ref", "Sender", "Receiver", "Coin")
    };
    // Amounts in base units from the `Coin` column would be refused: map Qty in display units.
    let open = Profile {
        amount: "Qty".into(),
        unit: hoptrace::import::mapping::AmountUnit::Display,
        decimals: Some(hoptrace::import::mapping::DecimalsSource::Known),
        ..open
    };
    ProfileStore::at(dir.path().join("profiles")).save("no chain", &open).expect("save");
    let eth_rows: String = OTC.lines().filter(|l| !l.contains(";0xdac17f")).map(|l| format!("{l}\n")).collect();
    std::fs::write(&file, eth_rows).expect("write");

    let mut h = harness(app_with(dir.path(), &file));
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import files… Ctrl+I").click();
    h.step();
    step_until(&mut h, 60, "the plain import", |a| a.importing.is_none());
    // No reader knows the file: the mapping is offered.
    assert_eq!(h.state().import_ui.unrecognised.len(), 1, "{:?}", h.state().notices);
    h.get_by_role_and_label(Role::Button, "Import with mapping…").click();
    h.run();
    assert!(h.state().import_ui.mapping.is_some());
    pick(&mut h, "Start from saved profile", "no chain");
    assert_eq!(h.state().import_ui.mapping.as_ref().map(|d| d.name.clone()), Some("no chain".to_owned()));
    h.get_by_label("Import").click();
    h.step();
    step_until(&mut h, 60, "the mapped import", |a| a.importing.is_none());

    // The chain cannot be told: the window asks.
    assert_eq!(h.state().import_ui.chain_questions.len(), 1, "{:?}", h.state().notices);
    h.get_by_label("Which chain is otc-ledger.csv from?");
    let before = batches(&ledger_of(&h)).len();
    pick(&mut h, "Chain", "bsc");
    h.get_by_label("Import as bsc").click();
    h.step();
    step_until(&mut h, 60, "the import with the chain", |a| a.importing.is_none());
    assert!(h.state().import_ui.chain_questions.is_empty());
    let all = batches(&ledger_of(&h));
    assert_eq!(all.len(), before + 1, "{:?}", h.state().notices);
    let (format, chain, options) = all.last().cloned().expect("batch");
    assert_eq!((format.as_str(), chain.as_deref()), ("mapped", Some("bsc")));
    let json: serde_json::Value = serde_json::from_str(&options).expect("options");
    assert_eq!((json["chain"].as_str(), json["profile"]["name"].as_str()), (Some("bsc"), Some("no chain")));
}

#[test]
fn good_rows_are_imported_and_the_refused_ones_listed_beside_the_ledger() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("otc-ledger.csv");
    std::fs::write(&file, format!("{OTC}2023-05-03 09:05:00;0x4444444444444444444444444444444444444444444444444444444444444444;0x722122df12d4e14e13ac3b6895a86e84145b6967;0x8589427373d6d84e98730d7795d8f6f8731fda16;2,0;ETH;Pending\n")).expect("write");
    let profile = Profile {
        delimiter: ';',
        decimal_comma: true,
        chain: Some(hoptrace::import::mapping::ChainSource::Fixed("ethereum".into())),
        asset: AssetSource::Column("Coin".into()),
        unit: hoptrace::import::mapping::AmountUnit::Display,
        decimals: Some(hoptrace::import::mapping::DecimalsSource::Known),
        status: Some(StatusColumn {
            column: "Status".into(),
            success: vec!["Booked".into()],
            failed: vec!["Returned".into()],
        }),
        ..Profile::new("Ref", "Sender", "Receiver", "Qty")
    };
    ProfileStore::at(dir.path().join("profiles")).save("otc", &profile).expect("save");
    let mut h = harness(app_with(dir.path(), &file));
    h.get_by_label("File").click();
    h.run();
    h.get_by_label("Import with mapping… Ctrl+Shift+I").click();
    h.run();
    pick(&mut h, "Start from saved profile", "otc");
    h.get_by_role_and_label(Role::CheckBox, "Import good rows, list refused ones").click();
    h.run();
    assert!(h.state().import_ui.skip_bad);
    h.get_by_label("Import").click();
    h.step();
    step_until(&mut h, 60, "the mapped import", |a| a.importing.is_none());
    let refused = ledger_of(&h).with_file_name("otc-ledger.csv.refused.csv");
    let notice = h.state().notices.iter().map(|n| n.text.clone()).collect::<Vec<_>>().join("\n");
    assert!(
        notice.contains(&format!(
            "otc-ledger.csv: 3 transfers, 0 labels imported; 1 rows refused, listed in {}",
            refused.display()
        )),
        "{notice}"
    );
    let listed = std::fs::read_to_string(&refused).expect("refused rows file");
    assert!(listed.contains("otc-ledger.csv,5,Status,"), "{listed}");
    assert!(listed.contains("found \"\"Pending\"\": expected a success value"), "{listed}");
}
