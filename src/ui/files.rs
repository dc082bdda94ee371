//! File dialogs behind a trait, so tests never open one (and a headless run never hangs).
//!
//! The system dialog (rfd: the XDG desktop portal on Linux, zenity as its fallback) is not
//! there on every workstation: a minimal or air-gapped install often runs no portal, and then
//! the dialog returns at once with nothing. [`SystemDialogs`] tells that apart from a user's
//! Cancel ([`Pick::Unavailable`]), and the window then shows its own chooser
//! ([`super::path_prompt`]), saying why.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What a file is being chosen for: the title, what may be chosen, and what happens next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// A case file to open.
    OpenCase,
    /// Where to save the case.
    SaveCaseAs,
    /// Where to create a new case.
    NewCase,
    /// Export files to import into the case's ledger.
    ImportFiles,
    /// Export files to import with a column mapping.
    ImportWithMapping,
    /// Where to write an evidence package as a zip file.
    SavePackage,
    /// Where to write an evidence package as a folder.
    PackageFolder,
    /// An evidence package (zip) to open for review.
    OpenPackage,
    /// Where to write a review package (zip).
    SaveReviewPackage,
}

/// What kind of path a purpose asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    /// Existing files; `multiple` when several may be chosen.
    Open {
        /// Several files at once.
        multiple: bool,
    },
    /// A file to write (its folder must exist).
    Save,
    /// A folder to write into.
    Folder,
}

impl Purpose {
    /// The dialog's title.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Self::OpenCase => "Open case",
            Self::SaveCaseAs => "Save case as",
            Self::NewCase => "New case: where to save it",
            Self::ImportFiles => "Import export files",
            Self::ImportWithMapping => "Import with mapping",
            Self::SavePackage => "Export evidence package",
            Self::PackageFolder => "Export evidence package into folder",
            Self::OpenPackage => "Open evidence package",
            Self::SaveReviewPackage => "Export review package",
        }
    }

    /// What may be chosen.
    #[must_use]
    pub fn kind(self) -> PathKind {
        match self {
            Self::OpenCase | Self::OpenPackage => PathKind::Open { multiple: false },
            Self::ImportFiles | Self::ImportWithMapping => PathKind::Open { multiple: true },
            Self::SaveCaseAs | Self::NewCase | Self::SavePackage | Self::SaveReviewPackage => PathKind::Save,
            Self::PackageFolder => PathKind::Folder,
        }
    }

    /// The file extensions listed (empty: every file).
    #[must_use]
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::OpenCase | Self::SaveCaseAs | Self::NewCase => &["ron"],
            Self::SavePackage | Self::OpenPackage | Self::SaveReviewPackage => &["zip"],
            Self::ImportFiles | Self::ImportWithMapping | Self::PackageFolder => &[],
        }
    }

    /// The file name offered when saving.
    #[must_use]
    pub fn suggested_name(self) -> Option<&'static str> {
        match self {
            Self::NewCase => Some("case.ron"),
            Self::SavePackage => Some("evidence.zip"),
            Self::SaveReviewPackage => Some("review.zip"),
            _ => None,
        }
    }
}

/// A dialog's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pick {
    /// The chosen paths (one unless the purpose takes several).
    Chosen(Vec<PathBuf>),
    /// The user closed the dialog without choosing.
    Cancelled,
    /// No dialog could be shown; why (the window shows its own chooser instead).
    Unavailable(String),
}

/// The dialogs the window asks for.
pub trait FileDialogs {
    /// Asks for the path(s) of `purpose`.
    fn pick(&mut self, purpose: Purpose) -> Pick;
}

/// Set to `builtin` to always use the window's own chooser.
pub const DIALOG_ENV: &str = "HOPTRACE_FILE_DIALOG";

/// A system dialog that answers faster than this showed nothing: no one can open, read and
/// cancel a file dialog in a quarter of a second.
const AT_ONCE: Duration = Duration::from_millis(250);

/// The system dialogs (rfd, through the XDG portal on Linux).
#[derive(Debug, Default)]
pub struct SystemDialogs;

impl SystemDialogs {
    /// Why no system dialog can be shown, when that is known before trying.
    fn known_unavailable() -> Option<String> {
        if std::env::var(DIALOG_ENV).is_ok_and(|v| v == "builtin") {
            return Some(format!("{DIALOG_ENV}=builtin is set"));
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::fs::MetadataExt as _;
            let bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some()
                || std::fs::metadata("/proc/self")
                    .is_ok_and(|m| std::path::Path::new(&format!("/run/user/{}/bus", m.uid())).exists());
            if !bus {
                return Some(
                    "there is no D-Bus session, so no desktop portal to show the system file dialog".to_owned(),
                );
            }
        }
        None
    }

    fn dialog(purpose: Purpose) -> rfd::FileDialog {
        let d = rfd::FileDialog::new().set_title(purpose.title());
        let d = match purpose.extensions() {
            [] => d,
            ["ron"] => d.add_filter("hoptrace case", &["ron"]),
            exts => d.add_filter("evidence or review package", exts),
        };
        match purpose.suggested_name() {
            Some(name) => d.set_file_name(name),
            None => d,
        }
    }
}

impl FileDialogs for SystemDialogs {
    fn pick(&mut self, purpose: Purpose) -> Pick {
        if let Some(why) = Self::known_unavailable() {
            return Pick::Unavailable(why);
        }
        let started = Instant::now();
        let d = Self::dialog(purpose);
        let paths: Vec<PathBuf> = match purpose.kind() {
            PathKind::Open { multiple: true } => d.pick_files().unwrap_or_default(),
            PathKind::Open { multiple: false } => d.pick_file().into_iter().collect(),
            PathKind::Save => d.save_file().into_iter().collect(),
            PathKind::Folder => d.pick_folder().into_iter().collect(),
        };
        if !paths.is_empty() {
            Pick::Chosen(paths)
        } else if started.elapsed() < AT_ONCE {
            Pick::Unavailable(
                "the system file dialog closed at once (no xdg-desktop-portal or zenity answered)".to_owned(),
            )
        } else {
            Pick::Cancelled
        }
    }
}

/// Dialogs that answer from prepared lists (tests).
#[derive(Debug, Default, Clone)]
pub struct FakeDialogs {
    /// Answers of opening a case, in order.
    pub open: Vec<PathBuf>,
    /// Answers of saving a case (Save as, New case).
    pub save: Vec<PathBuf>,
    /// Answers of choosing files to import.
    pub import: Vec<Vec<PathBuf>>,
    /// Answers of choosing where an evidence package goes (zip or folder), in order.
    pub package: Vec<PathBuf>,
    /// Answers of opening a package.
    pub open_package: Vec<PathBuf>,
    /// Answers of saving a review package.
    pub review_package: Vec<PathBuf>,
    /// When set, every dialog is unavailable with this reason (as with no desktop portal).
    pub unavailable: Option<String>,
}

fn first(answers: &mut Vec<PathBuf>) -> Pick {
    if answers.is_empty() { Pick::Cancelled } else { Pick::Chosen(vec![answers.remove(0)]) }
}

impl FileDialogs for FakeDialogs {
    fn pick(&mut self, purpose: Purpose) -> Pick {
        if let Some(why) = &self.unavailable {
            return Pick::Unavailable(why.clone());
        }
        match purpose {
            Purpose::OpenCase => first(&mut self.open),
            Purpose::SaveCaseAs | Purpose::NewCase => first(&mut self.save),
            Purpose::ImportFiles | Purpose::ImportWithMapping => {
                if self.import.is_empty() {
                    Pick::Cancelled
                } else {
                    Pick::Chosen(self.import.remove(0))
                }
            }
            Purpose::SavePackage | Purpose::PackageFolder => first(&mut self.package),
            Purpose::OpenPackage => first(&mut self.open_package),
            Purpose::SaveReviewPackage => first(&mut self.review_package),
        }
    }
}
