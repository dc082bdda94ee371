//! The window's own file chooser, shown when the system dialog cannot be (see
//! [`super::files`]): a folder listing to click through and a path to type, checked before
//! the action goes on. It says why it is shown, so a missing desktop portal is never silent.

use std::path::{Path, PathBuf};

use egui::Context;

use super::app::WorkbenchApp;
use super::files::{PathKind, Pick, Purpose};

/// One entry of the listed folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// File or folder name.
    pub name: String,
    /// A folder.
    pub dir: bool,
}

/// The open chooser.
#[derive(Debug, Clone)]
pub struct PathPrompt {
    /// What the path is for.
    pub purpose: Purpose,
    /// Why the system dialog was not used.
    pub why: String,
    /// The folder listed.
    pub folder: PathBuf,
    /// The typed path (absolute, or relative to `folder`).
    pub typed: String,
    /// Files chosen so far (imports take several).
    pub chosen: Vec<PathBuf>,
    /// The listing of `folder`, or why it could not be read.
    pub listing: Result<Vec<Entry>, String>,
}

/// Lists `folder`: folders first, then the files with one of `extensions` (every file when
/// empty), each group by name; hidden entries left out.
///
/// # Errors
/// The folder cannot be read (the message names it).
pub fn list(folder: &Path, extensions: &[&str]) -> Result<Vec<Entry>, String> {
    let read = std::fs::read_dir(folder).map_err(|e| format!("cannot list {}: {e}", folder.display()))?;
    let mut entries: Vec<Entry> = read
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let dir = e.path().is_dir();
            let wanted = dir
                || extensions.is_empty()
                || Path::new(&name).extension().is_some_and(|x| extensions.iter().any(|w| x.eq_ignore_ascii_case(w)));
            (!name.starts_with('.') && wanted).then_some(Entry { name, dir })
        })
        .collect();
    entries.sort_by(|a, b| b.dir.cmp(&a.dir).then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    Ok(entries)
}

/// The paths `typed` and `chosen` name for `purpose`, checked: files to open exist, a file to
/// write goes into an existing folder and is not a folder, a folder to write into is a folder
/// or can be made in an existing one.
///
/// # Errors
/// What is wrong, naming the path.
pub fn resolve(purpose: Purpose, folder: &Path, typed: &str, chosen: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let typed = typed.trim();
    let mut paths: Vec<PathBuf> = chosen.to_vec();
    if !typed.is_empty() {
        let p = Path::new(typed);
        let p = if p.is_absolute() { p.to_owned() } else { folder.join(p) };
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    if paths.is_empty() {
        return Err("type a path or choose one from the list".to_owned());
    }
    match purpose.kind() {
        PathKind::Open { multiple } => {
            if !multiple && paths.len() > 1 {
                return Err(format!("{} takes one file", purpose.title()));
            }
            for p in &paths {
                if p.is_dir() {
                    return Err(format!("{} is a folder: choose a file in it", p.display()));
                }
                if !p.is_file() {
                    return Err(format!("{} does not exist", p.display()));
                }
            }
        }
        PathKind::Save => {
            let p = &paths[0];
            if p.is_dir() {
                return Err(format!("{} is a folder: type a file name after it", p.display()));
            }
            if let Some(parent) = p.parent().filter(|q| !q.as_os_str().is_empty())
                && !parent.is_dir()
            {
                return Err(format!("the folder {} does not exist", parent.display()));
            }
            paths.truncate(1);
        }
        PathKind::Folder => {
            let p = &paths[0];
            if p.is_file() {
                return Err(format!("{} is a file: choose a folder", p.display()));
            }
            if !p.exists() && !p.parent().is_some_and(Path::is_dir) {
                return Err(format!("neither {} nor the folder it would go in exists", p.display()));
            }
            paths.truncate(1);
        }
    }
    Ok(paths)
}

impl PathPrompt {
    /// A chooser for `purpose` listing `folder`.
    #[must_use]
    pub fn new(purpose: Purpose, why: String, folder: PathBuf) -> Self {
        let typed = purpose.suggested_name().unwrap_or_default().to_owned();
        let listing = list(&folder, purpose.extensions());
        Self { purpose, why, folder, typed, chosen: Vec::new(), listing }
    }

    /// Lists `folder` instead.
    pub fn go_to(&mut self, folder: PathBuf) {
        self.listing = list(&folder, self.purpose.extensions());
        self.folder = folder;
    }
}

impl WorkbenchApp {
    /// Asks for the path(s) of `purpose` and goes on with them ([`WorkbenchApp::chosen`]):
    /// at once from the system dialog, or from the window's own chooser, opened here when the
    /// system dialog cannot be shown.
    pub fn choose(&mut self, purpose: Purpose) {
        match self.files.pick(purpose) {
            Pick::Chosen(paths) => self.chosen(purpose, paths),
            Pick::Cancelled => {}
            Pick::Unavailable(why) => {
                let folder = self
                    .session
                    .as_ref()
                    .and_then(|s| s.path.parent().filter(|p| p.is_dir()).map(Path::to_owned))
                    .or_else(|| std::env::current_dir().ok())
                    .map(|p| p.canonicalize().unwrap_or(p))
                    .unwrap_or_else(|| PathBuf::from("/"));
                self.path_prompt = Some(PathPrompt::new(purpose, why, folder));
            }
        }
    }

    /// Goes on with the action `purpose` was asked for, with the chosen `paths`.
    pub fn chosen(&mut self, purpose: Purpose, paths: Vec<PathBuf>) {
        let Some(first) = paths.first().cloned() else { return };
        match purpose {
            Purpose::OpenCase => self.open_in_background(&first),
            Purpose::SaveCaseAs => {
                if let Some(s) = self.session.as_mut() {
                    s.path = first;
                }
                self.save();
            }
            Purpose::NewCase => self.new_case_at(first),
            Purpose::ImportFiles => self.import(&paths),
            Purpose::ImportWithMapping => self.open_mapping_dialog(paths),
            Purpose::SavePackage => self.export_to(crate::export::Layout::Zip, first),
            Purpose::PackageFolder => self.export_to(crate::export::Layout::Folder, first),
            Purpose::OpenPackage => self.open_review(&first),
            Purpose::SaveReviewPackage => self.export_review_package_to(&first),
        }
    }

    /// Shows the built-in chooser, if open; a confirmed path continues the action it was
    /// opened for.
    pub fn path_prompt_ui(&mut self, ctx: &Context) {
        let Some(mut prompt) = self.path_prompt.take() else { return };
        let mut open = true;
        let mut confirmed = false;
        let mut cancelled = false;
        let mut go_to: Option<PathBuf> = None;
        let multiple = matches!(prompt.purpose.kind(), PathKind::Open { multiple: true });
        let max_h = (ctx.content_rect().height() * 0.6).max(120.0);
        egui::Window::new(prompt.purpose.title())
            .collapsible(false)
            .resizable(true)
            .default_width(560.0)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .open(&mut open)
            .show(ctx, |ui| {
                ui.label(format!("The system file dialog is not available: {}. Choose here instead.", prompt.why));
                ui.horizontal(|ui| {
                    let up = prompt.folder.parent().map(Path::to_owned);
                    if ui.add_enabled(up.is_some(), egui::Button::new("Up")).clicked() {
                        go_to = up;
                    }
                    ui.label(crate::model::visible(&prompt.folder.display().to_string()));
                });
                egui::ScrollArea::vertical().max_height(max_h).show(ui, |ui| match &prompt.listing {
                    Err(e) => {
                        ui.colored_label(ui.visuals().error_fg_color, e);
                    }
                    Ok(entries) if entries.is_empty() => {
                        ui.weak("(nothing to choose here)");
                    }
                    Ok(entries) => {
                        for e in entries {
                            let path = prompt.folder.join(&e.name);
                            let shown = crate::model::visible(&e.name);
                            if e.dir {
                                if ui.selectable_label(false, format!("{shown}/")).clicked() {
                                    go_to = Some(path);
                                }
                            } else {
                                let on = prompt.chosen.contains(&path) || prompt.typed == e.name;
                                if ui.selectable_label(on, shown.as_ref()).clicked() {
                                    if multiple {
                                        if let Some(i) = prompt.chosen.iter().position(|c| *c == path) {
                                            prompt.chosen.remove(i);
                                        } else {
                                            prompt.chosen.push(path);
                                        }
                                    } else {
                                        prompt.typed.clone_from(&e.name);
                                    }
                                }
                            }
                        }
                    }
                });
                if multiple && !prompt.chosen.is_empty() {
                    ui.label(format!("{} file(s) chosen", prompt.chosen.len()));
                }
                let label = match prompt.purpose.kind() {
                    PathKind::Open { multiple: true } => "Path (or click files above)",
                    PathKind::Folder => "Folder",
                    _ => "Path",
                };
                let edit = super::dialogs::labelled_text(ui, label, &mut prompt.typed);
                let entered = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                match super::dialogs::choice(ui, "OK", "Cancel") {
                    Some(true) => confirmed = true,
                    Some(false) => cancelled = true,
                    None => confirmed |= entered,
                }
            });
        if let Some(folder) = go_to {
            prompt.go_to(folder);
        }
        if cancelled || !open {
            return;
        }
        if confirmed {
            match resolve(prompt.purpose, &prompt.folder, &prompt.typed, &prompt.chosen) {
                Ok(paths) => return self.chosen(prompt.purpose, paths),
                Err(e) => self.error(e),
            }
        }
        self.path_prompt = Some(prompt);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_listing_shows_folders_first_and_only_the_files_asked_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in ["b.ron", "A.ron", "notes.txt", ".hidden.ron"] {
            std::fs::write(dir.path().join(f), "").expect("write");
        }
        std::fs::create_dir(dir.path().join("zeta")).expect("mkdir");
        let names =
            |exts: &[&str]| list(dir.path(), exts).expect("list").into_iter().map(|e| e.name).collect::<Vec<_>>();
        assert_eq!(names(&["ron"]), ["zeta", "A.ron", "b.ron"]);
        assert_eq!(names(&[]), ["zeta", "A.ron", "b.ron", "notes.txt"]);
        let missing = dir.path().join("gone");
        assert!(list(&missing, &[]).is_err_and(|e| e.contains("gone")));
    }

    #[test]
    fn a_chosen_path_is_checked_for_what_it_is_for() {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        std::fs::write(d.join("case.ron"), "").expect("write");
        std::fs::write(d.join("a.csv"), "").expect("write");
        std::fs::create_dir(d.join("sub")).expect("mkdir");
        // Open: relative to the listed folder, must exist, one file only.
        assert_eq!(resolve(Purpose::OpenCase, d, "case.ron", &[]), Ok(vec![d.join("case.ron")]));
        assert!(resolve(Purpose::OpenCase, d, "nope.ron", &[]).is_err_and(|e| e.ends_with("does not exist")));
        assert!(resolve(Purpose::OpenCase, d, "sub", &[]).is_err_and(|e| e.contains("is a folder")));
        assert!(resolve(Purpose::OpenCase, d, "", &[]).is_err_and(|e| e.starts_with("type a path")));
        assert!(
            resolve(Purpose::OpenPackage, d, "a.csv", &[d.join("case.ron")]).is_err_and(|e| e.contains("one file"))
        );
        // Import: several, clicked and typed, each existing.
        assert_eq!(
            resolve(Purpose::ImportFiles, d, "a.csv", &[d.join("case.ron")]),
            Ok(vec![d.join("case.ron"), d.join("a.csv")])
        );
        // Save: into an existing folder, never onto a folder.
        assert_eq!(resolve(Purpose::SavePackage, d, "out.zip", &[]), Ok(vec![d.join("out.zip")]));
        assert!(resolve(Purpose::SavePackage, d, "missing/out.zip", &[]).is_err_and(|e| e.contains("does not exist")));
        assert!(resolve(Purpose::SaveCaseAs, d, "sub", &[]).is_err_and(|e| e.contains("is a folder")));
        // Folder: an existing folder or a new one in an existing folder; never a file.
        assert_eq!(resolve(Purpose::PackageFolder, d, "sub", &[]), Ok(vec![d.join("sub")]));
        assert_eq!(resolve(Purpose::PackageFolder, d, "new", &[]), Ok(vec![d.join("new")]));
        assert!(resolve(Purpose::PackageFolder, d, "a.csv", &[]).is_err_and(|e| e.contains("is a file")));
        assert!(resolve(Purpose::PackageFolder, d, "x/y", &[]).is_err_and(|e| e.contains("neither")));
    }
}
