//! What the fuzz targets share: each target hands libFuzzer's bytes to one of hoptrace's
//! public entry points (an import reader into an in-memory [`Collected`] sink, the case
//! loader, the package reader and verifier) and checks what must hold whatever the input.
//! A panic, an overflow (the fuzz build keeps overflow checks) or a failed check is a crash.

use std::path::{Path, PathBuf};

use hoptrace::import::{self, Collected, Format, ImportOptions, ReadContext};

/// A scratch folder of this process (readers that seek, and the package reader, need a file).
#[must_use]
pub fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hoptrace-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Writes `data` to the scratch file `name` and returns its path.
///
/// # Panics
/// The scratch folder cannot be written (the fuzzing machine is broken, not the reader).
#[must_use]
pub fn scratch_file(name: &str, data: &[u8]) -> PathBuf {
    let path = scratch().join(name);
    std::fs::write(&path, data).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    path
}

/// Reads `data` as `format` (file name `file_name`, `--chain` as given) into a [`Collected`]
/// sink and checks what every reader promises: each refusal names a line from 1 on, a field
/// and a reason.
pub fn read_as(format: Format, file_name: &str, chain: Option<&str>, data: &[u8]) -> Collected {
    let options = ImportOptions { format: Some(format), chain: chain.map(str::to_owned), ..ImportOptions::default() };
    if format == Format::Cryo {
        tolerate_parquet_decoder_panics();
    }
    // Parquet keeps its schema at the end of the file: the reader needs the file itself.
    let path = (format == Format::Cryo && data.starts_with(b"PAR1")).then(|| scratch_file(file_name, data));
    let ctx = ReadContext { file_name, path: path.as_deref(), options: &options };
    let mut sink = Collected::default();
    let mut input: &[u8] = data;
    let _ = import::read(format, &mut input, &ctx, &mut sink);
    for r in &sink.refused {
        assert!(r.line >= 1, "{format}: a refusal at line 0: {r}");
        assert!(!r.field.is_empty() && !r.message.is_empty(), "{format}: a refusal without field or reason: {r:?}");
    }
    sink
}

/// Detects the format of `data` as `hoptrace import` does and reads it as that format.
pub fn detect_and_read(data: &[u8]) {
    let sample = data.get(..import::SAMPLE_BYTES).unwrap_or(data);
    if let Ok(format) = import::detect(sample) {
        let name = if format == Format::Cryo { "fuzz.parquet" } else { "fuzz-input.csv" };
        read_as(format, name, None, data);
    }
}

/// Loads `data` as a case file; a case that loads is saved and loaded again to the same bytes
/// (a case the loader accepts can always be saved and reopened).
///
/// # Panics
/// A saved case does not load back equal: the crash libFuzzer reports.
pub fn load_case(data: &[u8]) {
    use hoptrace::case::file;
    let Ok(case) = file::from_bytes(Path::new("case.ron"), data) else { return };
    let _ = case.verify_audit();
    let bytes = file::to_bytes(&case).unwrap_or_else(|e| panic!("a loaded case cannot be saved: {e}"));
    let again = file::from_bytes(Path::new("case.ron"), &bytes)
        .unwrap_or_else(|e| panic!("a saved case does not load: {e}\n{}", String::from_utf8_lossy(&bytes)));
    // Compared as saved bytes: a position may be NaN, which is not equal to itself.
    let again_bytes = file::to_bytes(&again).unwrap_or_else(|e| panic!("a reloaded case cannot be saved: {e}"));
    assert!(again_bytes == bytes, "a case changes when saved and loaded again");
}

/// Reads `data` as an evidence package (zip): unpacked within the default limits, verified,
/// and extracted into a fresh folder, which then holds exactly the package's files.
///
/// # Panics
/// Extraction wrote something other than the package's files: the crash libFuzzer reports.
pub fn read_package(data: &[u8]) {
    use hoptrace::package::{self, Limits};
    let path = scratch_file("package.zip", data);
    let _ = package::verify(&path);
    let Ok(files) = package::read_package(&path, &Limits::default()) else { return };
    let out = scratch().join("extracted");
    let _ = std::fs::remove_dir_all(&out);
    if package::extract_into(&files, &out).is_ok() {
        let mut written: Vec<String> = std::fs::read_dir(&out)
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        written.sort();
        let mut names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        names.sort();
        assert_eq!(written, names, "extraction wrote other files than the package's");
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// Reads `data` as a column-mapping profile and a CSV, separated by the first NUL byte: the
/// profile is loaded as `hoptrace import --profile` loads a saved one, then reads the CSV.
pub fn read_mapped(data: &[u8]) {
    use hoptrace::import::mapping::ProfileStore;
    let Some(split) = data.iter().position(|&b| b == 0) else { return };
    let (profile, csv) = (&data[..split], &data[split + 1..]);
    let dir = scratch().join("profiles");
    let _ = std::fs::create_dir_all(&dir);
    let _ = std::fs::write(dir.join("fuzz.ron"), profile);
    let Ok(named) = ProfileStore::at(&dir).load("fuzz") else { return };
    let options = ImportOptions { format: Some(Format::Mapped), profile: Some(named), ..ImportOptions::default() };
    let ctx = ReadContext { file_name: "mapped.csv", path: None, options: &options };
    let mut sink = Collected::default();
    let mut input: &[u8] = csv;
    let _ = import::read(Format::Mapped, &mut input, &ctx, &mut sink);
}

/// The parquet crate panics on some damaged files; the cryo reader catches those panics and
/// refuses the file. libFuzzer's panic hook aborts on every panic before it can be caught, so
/// for the cryo targets panics raised inside the parquet crate are let through to that catch;
/// any other panic still aborts (a crash).
fn tolerate_parquet_decoder_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let fuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let in_parquet = info.location().is_some_and(|l| l.file().contains("/parquet-"));
            if !in_parquet {
                fuzzer_hook(info);
            }
        }));
    });
}
