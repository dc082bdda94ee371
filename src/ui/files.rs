//! File dialogs behind a trait, so tests never open one (and a headless run never hangs).

use std::path::PathBuf;

/// The dialogs the window asks for.
pub trait FileDialogs {
    /// A case file to open.
    fn open_case(&mut self) -> Option<PathBuf>;
    /// Where to save a case.
    fn save_case_as(&mut self) -> Option<PathBuf>;
    /// Export files to import into the case's ledger.
    fn import_files(&mut self) -> Vec<PathBuf>;
    /// Where to write an evidence package as a zip file.
    fn save_package_as(&mut self) -> Option<PathBuf> {
        None
    }
    /// Where to write an evidence package as a folder.
    fn package_folder(&mut self) -> Option<PathBuf> {
        None
    }
    /// An evidence package (zip) to open for review.
    fn open_package(&mut self) -> Option<PathBuf> {
        None
    }
    /// Where to write a review package (zip).
    fn save_review_package_as(&mut self) -> Option<PathBuf> {
        None
    }
}

/// The system dialogs (rfd, through the XDG portal on Linux: with no portal they return
/// nothing at once).
#[derive(Debug, Default)]
pub struct SystemDialogs;

impl FileDialogs for SystemDialogs {
    fn open_case(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Open case").add_filter("hoptrace case", &["ron"]).pick_file()
    }
    fn save_case_as(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Save case as").add_filter("hoptrace case", &["ron"]).save_file()
    }
    fn import_files(&mut self) -> Vec<PathBuf> {
        rfd::FileDialog::new().set_title("Import export files").pick_files().unwrap_or_default()
    }
    fn save_package_as(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Export evidence package")
            .add_filter("evidence package", &["zip"])
            .set_file_name("evidence.zip")
            .save_file()
    }
    fn package_folder(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Export evidence package into folder").pick_folder()
    }
    fn open_package(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new().set_title("Open evidence package").add_filter("evidence package", &["zip"]).pick_file()
    }
    fn save_review_package_as(&mut self) -> Option<PathBuf> {
        rfd::FileDialog::new()
            .set_title("Export review package")
            .add_filter("review package", &["zip"])
            .set_file_name("review.zip")
            .save_file()
    }
}

/// Dialogs that answer from prepared lists (tests).
#[derive(Debug, Default, Clone)]
pub struct FakeDialogs {
    /// Answers of `open_case`, in order.
    pub open: Vec<PathBuf>,
    /// Answers of `save_case_as`.
    pub save: Vec<PathBuf>,
    /// Answers of `import_files`.
    pub import: Vec<Vec<PathBuf>>,
    /// Answers of `save_package_as` and `package_folder`, in order.
    pub package: Vec<PathBuf>,
    /// Answers of `open_package`.
    pub open_package: Vec<PathBuf>,
    /// Answers of `save_review_package_as`.
    pub review_package: Vec<PathBuf>,
}

fn first(answers: &mut Vec<PathBuf>) -> Option<PathBuf> {
    (!answers.is_empty()).then(|| answers.remove(0))
}

impl FileDialogs for FakeDialogs {
    fn open_case(&mut self) -> Option<PathBuf> {
        (!self.open.is_empty()).then(|| self.open.remove(0))
    }
    fn save_case_as(&mut self) -> Option<PathBuf> {
        (!self.save.is_empty()).then(|| self.save.remove(0))
    }
    fn import_files(&mut self) -> Vec<PathBuf> {
        if self.import.is_empty() { Vec::new() } else { self.import.remove(0) }
    }
    fn save_package_as(&mut self) -> Option<PathBuf> {
        first(&mut self.package)
    }
    fn package_folder(&mut self) -> Option<PathBuf> {
        first(&mut self.package)
    }
    fn open_package(&mut self) -> Option<PathBuf> {
        first(&mut self.open_package)
    }
    fn save_review_package_as(&mut self) -> Option<PathBuf> {
        first(&mut self.review_package)
    }
}
