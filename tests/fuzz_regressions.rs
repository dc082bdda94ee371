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
