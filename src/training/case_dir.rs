//! Training case folders (`cases/<name>/`): writing one from its generated scenario, and
//! opening one (building its ledger from the exports on first open).
//!
//! A folder holds `README.md` (written by hand), `exports/` (the files an investigator would
//! have: generic transfers CSV, Bitcoin Core transactions, a TagPack), `instructor/
//! ground-truth.json` (the answers, kept out of the folder trainees import from and open in a
//! file chooser), `case.ron` (seeds and a few expansions), `walkthrough.ron` and
//! `exercises.ron`. Opening a
//! case never writes into its folder (an installation may be read-only and is shared): the
//! ledger, `ledger.sqlite`, is built from the exports on first open into the trainee's working
//! folder under the user's data folder ([`data_dir`]), beside a copy of `case.ron` that the
//! trainee's changes go to; for scenarios too large to commit the exports are generated there
//! too.

use std::path::{Path, PathBuf};

use super::{Exercise, Walkthrough};
use crate::case::file::{self, CaseFileError};
use crate::graph::{Command, CommandError, Investigation};
use crate::import::ImportOptions;
use crate::ledger::{LedgerError, LedgerSource, WriteLedger};
use crate::scenario::ScenarioError;
use crate::training::scenarios::{self as generator, GENERATED_ON_OPEN, NAMES};

/// The case file of a training folder.
pub const CASE_FILE: &str = "case.ron";
/// The ledger built from the exports.
pub const LEDGER_FILE: &str = "ledger.sqlite";
/// The exports folder.
pub const EXPORTS_DIR: &str = "exports";
/// The walkthrough.
pub const WALKTHROUGH_FILE: &str = "walkthrough.ron";
/// The exercises.
pub const EXERCISES_FILE: &str = "exercises.ron";
/// The instructor's folder: what the trainee is not meant to open (the answers).
pub const INSTRUCTOR_DIR: &str = "instructor";
/// The ground truth, in [`INSTRUCTOR_DIR`].
pub const TRUTH_FILE: &str = "ground-truth.json";
/// The files imported into the ledger, in order.
pub const IMPORTED: [&str; 3] = ["transfers.csv", "bitcoin-rawtx.jsonl", "labels.yaml"];

/// Errors of training folders.
#[derive(Debug, thiserror::Error)]
pub enum TrainingError {
    /// Generating the scenario failed.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// The ledger failed.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// A command building the case failed.
    #[error("building the training case: {0}")]
    Command(#[from] CommandError),
    /// The case file could not be written or read.
    #[error(transparent)]
    Case(#[from] CaseFileError),
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// A walkthrough or exercises file is malformed.
    #[error("{}: line {line}, column {column}: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// Line (1-based).
        line: usize,
        /// Column (1-based).
        column: usize,
        /// What was expected.
        message: String,
    },
    /// The folder is not a training case and cannot be generated.
    #[error("{}: not a training case folder (no {EXPORTS_DIR}/transfers.csv, and {name:?} is not one of the generated scenarios: {known})", dir.display())]
    NotATrainingCase {
        /// The folder.
        dir: PathBuf,
        /// Its name.
        name: String,
        /// The scenarios that can be generated.
        known: String,
    },
    /// No folder for the trainee's copies: none of the variables [`data_dir`] reads is set.
    #[error("cannot find the user's data folder for training cases: set HOPTRACE_DATA_DIR, XDG_DATA_HOME or HOME")]
    NoDataDir,
    /// An exported file was refused by its importer (a generator bug).
    #[error("{}: {count} rows refused, first: {first}", path.display())]
    Refused {
        /// The file.
        path: PathBuf,
        /// How many.
        count: usize,
        /// The first refusal.
        first: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> TrainingError + '_ {
    move |source| TrainingError::Io { path: path.to_owned(), source }
}

/// `value` as RON for `path`, or why it cannot be written.
fn ron_text<T: serde::Serialize>(value: &T, path: &Path) -> Result<String, TrainingError> {
    let config = ron::ser::PrettyConfig::new().struct_names(false).new_line("\n".to_owned());
    let text = ron::ser::to_string_pretty(value, config).map_err(|e| TrainingError::Io {
        path: path.to_owned(),
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, format!("cannot write it as RON: {e}")),
    })?;
    Ok(text + "\n")
}

fn read_ron<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, TrainingError> {
    let text = std::fs::read_to_string(path).map_err(io(path))?;
    ron::from_str(&text).map_err(|e| TrainingError::Format {
        path: path.to_owned(),
        line: e.span.start.line,
        column: e.span.start.col,
        message: e.code.to_string(),
    })
}

/// Removes a file if it exists.
fn remove(path: &Path) -> Result<(), TrainingError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(TrainingError::Io { path: path.to_owned(), source: e })
        }
        _ => Ok(()),
    }
}

/// Builds the ledger `target` from the files of `exports` (into a temporary file beside it,
/// renamed when complete, so an interrupted build leaves no half ledger).
fn build_ledger(exports: &Path, target: &Path) -> Result<PathBuf, TrainingError> {
    let mut building = target.as_os_str().to_owned();
    building.push(".building");
    let building = PathBuf::from(building);
    remove(&building)?;
    {
        let mut ledger = LedgerSource::sqlite(&building).open()?;
        for name in IMPORTED {
            let path = exports.join(name);
            // A scenario without Bitcoin writes an empty Bitcoin file: there is nothing to import.
            if std::fs::metadata(&path).map_err(io(&path))?.len() == 0 {
                continue;
            }
            let report = ledger.import_file(&path, &ImportOptions::default(), None)?;
            if let Some(first) = report.refused.first() {
                return Err(TrainingError::Refused { path, count: report.refused.len(), first: first.to_string() });
            }
        }
    }
    std::fs::rename(&building, target).map_err(io(target))?;
    Ok(target.to_owned())
}

/// The folder where opened training cases keep what they build and change (the ledger, the
/// trainee's copy of the case, exports generated on open): `$HOPTRACE_DATA_DIR/training` when
/// that is set, else `$XDG_DATA_HOME/hoptrace/training`, else
/// `$HOME/.local/share/hoptrace/training`. Never the installation's `cases/` folder, which
/// may be read-only and is shared by every user.
///
/// # Errors
/// [`TrainingError::NoDataDir`] when none of these variables is set.
pub fn data_dir() -> Result<PathBuf, TrainingError> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
    let root = if let Some(d) = var("HOPTRACE_DATA_DIR") {
        d
    } else if let Some(d) = var("XDG_DATA_HOME") {
        d.join("hoptrace")
    } else if let Some(d) = var("HOME") {
        d.join(".local").join("share").join("hoptrace")
    } else {
        return Err(TrainingError::NoDataDir);
    };
    Ok(root.join("training"))
}

/// The trainee's working folder of the training case in `dir`, under `data`: named after it.
#[must_use]
pub fn work_dir(dir: &Path, data: &Path) -> PathBuf {
    data.join(dir.file_name().unwrap_or(dir.as_os_str()))
}

/// Opens the training case in `dir` (the installation's folder, only read) with its working
/// folder in the user's [`data_dir`]: see [`open_in`].
///
/// # Errors
/// [`TrainingError`]: no data folder, not a training folder, generation or import failed.
pub fn open(dir: &Path) -> Result<(PathBuf, PathBuf), TrainingError> {
    open_in(dir, &data_dir()?)
}

/// Opens the training case in `dir` with its working folder `data/NAME` ([`work_dir`]) and
/// returns the paths of the trainee's case file and ledger there. On first open the ledger is
/// built from the exports (generated into the working folder first for a scenario that ships
/// without them) and the case file is copied; later opens return them as they are, with the
/// trainee's changes. Nothing is ever written into `dir`, and the ground truth is never
/// copied or generated into the working folder.
///
/// # Errors
/// [`TrainingError`]: not a training folder, generation, import or a write failed.
pub fn open_in(dir: &Path, data: &Path) -> Result<(PathBuf, PathBuf), TrainingError> {
    let work = work_dir(dir, data);
    let case_path = work.join(CASE_FILE);
    let ledger_path = work.join(LEDGER_FILE);
    if ledger_path.exists() && case_path.exists() {
        return Ok((case_path, ledger_path));
    }
    let mut exports = dir.join(EXPORTS_DIR);
    if !exports.join(IMPORTED[0]).exists() {
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if !GENERATED_ON_OPEN.contains(&name.as_str()) {
            return Err(TrainingError::NotATrainingCase {
                dir: dir.to_owned(),
                name,
                known: GENERATED_ON_OPEN.join(", "),
            });
        }
        exports = work.join(EXPORTS_DIR);
        if !exports.join(IMPORTED[0]).exists() {
            generator::write_exports(&generator::generate(&name)?, &exports)?;
        }
        // Generated by an earlier version beside the trainee's exports: the answers go.
        remove(&exports.join(TRUTH_FILE))?;
    }
    let installed_case = dir.join(CASE_FILE);
    let text = std::fs::read(&installed_case).map_err(io(&installed_case))?;
    std::fs::create_dir_all(&work).map_err(io(&work))?;
    if !ledger_path.exists() {
        build_ledger(&exports, &ledger_path)?;
    }
    if !case_path.exists() {
        // Written as a new file (not copied), so a read-only installation gives a writable copy.
        file::write_atomic(&case_path, &text)?;
        remove(&file::backup_path(&case_path))?;
    }
    Ok((case_path, ledger_path))
}

/// The ground truth of the training case in `dir`: `instructor/ground-truth.json`.
#[must_use]
pub fn truth_path(dir: &Path) -> PathBuf {
    dir.join(INSTRUCTOR_DIR).join(TRUTH_FILE)
}

/// Writes the whole training folder of scenario `name` into `dir` (exports, the instructor's
/// ground truth, case, walkthrough, exercises; `README.md` is left alone). The output is the same on every run.
///
/// # Errors
/// [`TrainingError`] when generation, import, a case command or a write fails.
pub fn write_case(name: &str, dir: &Path) -> Result<(), TrainingError> {
    let ts = generator::generate(name)?;
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    generator::write_exports(&ts, &dir.join(EXPORTS_DIR))?;
    // The answers left beside the exports by an earlier version go: trainees open that folder.
    remove(&dir.join(EXPORTS_DIR).join(TRUTH_FILE))?;
    generator::write_truth(&ts, &truth_path(dir))?;
    remove(&dir.join(LEDGER_FILE))?;
    let ledger_path = build_ledger(&dir.join(EXPORTS_DIR), &dir.join(LEDGER_FILE))?;
    let case_path = dir.join(CASE_FILE);
    for p in [file::backup_path(&case_path), file::recovery_path(&case_path), case_path.clone()] {
        remove(&p)?;
    }
    let start = ts.scenario.truth.hack_time + 3 * 86_400;
    let mut clock = start;
    let ledger = LedgerSource::sqlite(&ledger_path).open()?;
    let mut inv = Investigation::create(
        ledger,
        LEDGER_FILE.to_owned(),
        format!("training-{name}"),
        ts.lesson.title.clone(),
        "hoptrace training".to_owned(),
        start,
    )?
    .with_clock(move || {
        clock += 60;
        clock
    });
    for (chain, address) in &ts.lesson.seeds {
        inv.apply(Command::AddSeed { chain: chain.clone(), address: address.clone() })?;
    }
    for (node, direction, filter) in &ts.lesson.expansions {
        inv.apply(Command::Expand { node: node.clone(), direction: *direction, filter: filter.clone() })?;
    }
    file::save(inv.case(), &case_path)?;
    remove(&file::backup_path(&case_path))?;
    // The case is bound to the ledger by its fingerprint; opening builds the same ledger again
    // in the trainee's folder, so none is kept here.
    drop(inv);
    remove(&ledger_path)?;
    let w = dir.join(WALKTHROUGH_FILE);
    std::fs::write(&w, ron_text(&ts.lesson.walkthrough, &w)?).map_err(io(&w))?;
    let e = dir.join(EXERCISES_FILE);
    std::fs::write(&e, ron_text(&ts.lesson.exercises, &e)?).map_err(io(&e))?;
    Ok(())
}

/// The walkthrough of the training case in `dir`.
///
/// # Errors
/// The file is missing or malformed.
pub fn load_walkthrough(dir: &Path) -> Result<Walkthrough, TrainingError> {
    read_ron(&dir.join(WALKTHROUGH_FILE))
}

/// The exercises of the training case in `dir`.
///
/// # Errors
/// The file is missing or malformed.
pub fn load_exercises(dir: &Path) -> Result<Vec<Exercise>, TrainingError> {
    read_ron(&dir.join(EXERCISES_FILE))
}

/// The training scenarios' names, in teaching order.
#[must_use]
pub fn names() -> &'static [&'static str] {
    &NAMES
}

/// The bundled cases folder (`cases/`, holding the training scenarios and the demo's sample
/// exports), found at run time rather than compiled in: `HOPTRACE_CASES`, else `cases` beside
/// the executable, in `../share/hoptrace/` from it (an installed layout) or two folders up (a
/// cargo build's `target/debug`), else `cases` in the current folder.
///
/// # Errors
/// [`NoCases`]: none of them exists (it names the places looked at).
pub fn installed_cases() -> Result<PathBuf, NoCases> {
    if let Some(d) = std::env::var_os("HOPTRACE_CASES").filter(|v| !v.is_empty()) {
        let d = PathBuf::from(d);
        return if d.is_dir() { Ok(d) } else { Err(NoCases::Variable(d)) };
    }
    let mut tried = Vec::new();
    if let Some(exe_dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_owned)) {
        tried.push(exe_dir.join("cases"));
        tried.push(exe_dir.join("../share/hoptrace/cases"));
        tried.push(exe_dir.join("../../cases"));
    }
    tried.push(PathBuf::from("cases"));
    match tried.iter().find(|d| d.join("demo").is_dir() || d.join("ronin-bridge").is_dir()) {
        Some(d) => Ok(d.canonicalize().unwrap_or_else(|_| d.clone())),
        None => Err(NoCases::NotFound(tried)),
    }
}

/// Why the bundled cases folder was not found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoCases {
    /// `HOPTRACE_CASES` names no folder.
    #[error("HOPTRACE_CASES={}: no such folder", .0.display())]
    Variable(PathBuf),
    /// None of the usual places has it.
    #[error(
        "no cases folder found (looked in {}): set HOPTRACE_CASES or pass --cases",
        .0.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NotFound(Vec<PathBuf>),
}
