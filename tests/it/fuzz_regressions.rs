//! Inputs the fuzz targets (`fuzz/`, README "Fuzzing") found to break a promise, each checked
//! here through the same public entry point the target uses.

use hoptrace::import::{self, Collected, Format, ImportOptions, ReadContext};

fn read(format: Format, file_name: &str, data: &[u8]) -> Collected {
    let options = ImportOptions { format: Some(format), ..ImportOptions::default() };
    let ctx = ReadContext { file_name, path: None, options: &options };
    let mut sink = Collected::default();
    let mut input: &[u8] = data;
    import::read(format, &mut input, &ctx, &mut sink).expect("the file as a whole is read");
    sink
}

/// fuzz target `bigquery_bitcoin`: a line whose object has the empty key `""` twice was refused
/// with an empty field name (every refusal must name its field).
#[test]
fn bigquery_bitcoin_names_a_duplicated_empty_key() {
    let data = b"{\"\": \"7940cdde\", \"\": 1}\n{\"hash\": \"ab\", \"outputs\": [{\"\": 0, \"\": 1}]}\n";
    let got = read(Format::BigQueryBitcoin, "bigquery-bitcoin.json", data);
    let fields: Vec<(u64, &str)> = got.refused.iter().map(|r| (r.line, r.field.as_str())).collect();
    assert_eq!(fields, [(1, "\"\""), (2, "outputs[0].\"\"")], "{:?}", got.refused);
    assert!(got.refused.iter().all(|r| r.message.contains("found this key twice")), "{:?}", got.refused);
}

/// fuzz target `cryo_parquet`: a Parquet file whose dictionary-encoded column chunk lost its
/// dictionary page made the parquet crate panic ("Decoder for dict should have been set"); the
/// cryo reader now refuses the file, naming the row group and column (since the page headers
/// are read first, it is their check that finds the damage).
#[test]
fn cryo_refuses_a_damaged_parquet_column_instead_of_panicking() {
    let message =
        read_damaged_parquet(include_bytes!("../fuzz_inputs/cryo_parquet-dictionary-without-dictionary-page.parquet"));
    assert!(message.contains("row group 0, column from_address: the page header at byte 537"), "{message}");
    assert!(message.contains("expected a Parquet file as cryo writes it"), "{message}");
}

/// fuzz target `cryo_parquet` (found by CI's short run): a column chunk whose offset or length
/// is negative made the parquet crate panic ("column start and length should not be negative")
/// while opening the column, outside the guard the decoder had; every call into the crate is
/// now guarded, and the file is refused naming the row group and column.
#[test]
fn cryo_refuses_a_column_chunk_with_a_negative_range_instead_of_panicking() {
    let message =
        read_damaged_parquet(include_bytes!("../fuzz_inputs/cryo_parquet-negative-column-chunk-range.parquet"));
    assert!(message.contains("row group 0, column from_address: the page header at byte 597"), "{message}");
    assert!(message.contains("expected a Parquet file as cryo writes it"), "{message}");
}

/// fuzz target `cryo_parquet` (a 10-minute run): a 3.6 KB file whose page header claimed 1.39 GB
/// uncompressed made the parquet crate reserve and fill that much before finding the data short
/// (2.2 s and 1.39 GB in a release build; a timeout in the fuzz build). The page headers of every
/// used column chunk are now read first and a page claiming more than its chunk holds is refused.
/// This input is a pyarrow file whose `value_binary` dictionary page header was changed to claim
/// 8,191 bytes (the chunk holds 115).
#[test]
fn cryo_refuses_a_page_claiming_more_than_its_column_chunk_before_decoding_it() {
    let message =
        read_damaged_parquet(include_bytes!("../fuzz_inputs/cryo_parquet-page-claims-more-than-its-chunk.parquet"));
    assert!(
        message.contains(
            "row group 0, column value_binary: page 1 (at byte 476) claims 8191 bytes uncompressed, \
             but the whole column chunk holds 115 uncompressed"
        ),
        "{message}"
    );
}

/// Reads `input` as the `cryo_parquet` fuzz target does and returns the refusal.
fn read_damaged_parquet(input: &[u8]) -> String {
    // As the fuzz target hands it to the reader: with the Parquet magic in front.
    let mut bytes = Vec::new();
    if !input.starts_with(b"PAR1") {
        bytes.extend_from_slice(b"PAR1");
    }
    bytes.extend_from_slice(input);
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("ethereum__erc20_transfers.parquet");
    std::fs::write(&path, &bytes).expect("write");
    let options = ImportOptions { chain: Some("ethereum".to_owned()), ..ImportOptions::default() };
    let ctx = ReadContext { file_name: "ethereum__erc20_transfers.parquet", path: Some(&path), options: &options };
    let mut sink = Collected::default();
    let mut input: &[u8] = &bytes;
    let result = import::read(Format::Cryo, &mut input, &ctx, &mut sink);
    let message = result.expect_err("a damaged file is refused").to_string();
    // The page-header check alone (what the benchmark times) refuses it the same way.
    let alone = import::cryo::check_page_headers(&path).map(|_| ()).expect_err("refused alone").to_string();
    assert_eq!(alone, message);
    message
}

/// fuzz target `case_load`: a case whose node position is NaN loads; saved and loaded again it
/// gives the same bytes (the target compared cases with `==`, and NaN is not equal to itself).
#[test]
fn a_case_with_a_nan_position_saves_and_reloads_to_the_same_bytes() {
    use hoptrace::case::file;
    let input = include_bytes!("../fuzz_inputs/case_load-nan-position.ron");
    let case = file::from_bytes(std::path::Path::new("case.ron"), input).expect("the case loads");
    assert!(case.nodes.values().any(|n| n.position.is_some_and(|(_, y)| y.is_nan())), "the NaN position is kept");
    let bytes = file::to_bytes(&case).expect("save");
    let again = file::from_bytes(std::path::Path::new("case.ron"), &bytes).expect("the saved case loads");
    assert_eq!(file::to_bytes(&again).expect("save again"), bytes);
}

/// fuzz target `label_list`: a Tron address candidate of 42 bytes whose second character is
/// not ASCII made the address check slice inside a character and panic; it is refused as not a
/// Tron address.
#[test]
fn a_tron_address_of_42_bytes_with_a_multibyte_character_is_refused_not_a_panic() {
    let candidate = "c\u{6eb}A9oz0x161\t\t\t\t\t\t\t\t\tFpqZk6VyNf*pXvKGhjado";
    assert_eq!(candidate.len(), 42);
    assert!(hoptrace::model::registry().normalize_address("tron", candidate).is_err());
    // And through the reader the fuzz target drove (no --chain): no label comes of it.
    let data = format!("{candidate},Some label\n");
    let options = ImportOptions { format: Some(Format::LabelList), ..ImportOptions::default() };
    let ctx = ReadContext { file_name: "labels.csv", path: None, options: &options };
    let mut sink = Collected::default();
    let mut input: &[u8] = data.as_bytes();
    let _ = import::read(Format::LabelList, &mut input, &ctx, &mut sink);
    assert!(sink.labels.is_empty(), "{:?}", sink.labels);
}
