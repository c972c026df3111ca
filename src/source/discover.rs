//! From the paths on the command line to the list of input files: directories walked
//! (sorted, hidden entries and obvious non-logs skipped, directory symlinks not followed so
//! a loop cannot trap the walk), `-` for stdin, and rotated sets (`access.log`,
//! `access.log.1`, `access.log.2.gz`) grouped as one source, oldest file first.

use super::{Encoding, Problem};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// Where an input file's bytes come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    Path(PathBuf),
    Stdin,
}

/// One file to read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputFile {
    pub origin: Origin,
    /// The path as given (or as found under a given directory); `-` for stdin. A
    /// container runtime's file is shown by the container's name instead (see
    /// [`super::names`]), and `path` says where it is.
    pub display: String,
    /// Where the file is, when it is shown by a name of its own.
    pub path: Option<String>,
    /// The source this file belongs to: its stream's name where it is a piece of a known
    /// layout (see `layouts`), else its rotated set: the path without `.gz` (`.bz2`, `.xz`,
    /// `.zst`) and `.N`.
    pub group: String,
    /// The part of the file this source reads, where its parts are read apart (see
    /// [`InputFile::of_part`]).
    pub part: Option<String>,
    /// The compression its name shows.
    pub compression: Option<Encoding>,
}

/// A file as a reader knows a source of it: its name, and the part read where the file's
/// parts are read apart (`filebeat.ndjson (/var/log/nginx/access.log)`).
pub fn labelled(file: &str, part: Option<&str>) -> String {
    match part {
        Some(part) => format!("{file} ({part})"),
        None => file.to_string(),
    }
}

impl InputFile {
    /// This file as the reading of one of its parts (a container's stream, a compose
    /// service, an export's host). A part that is a source of its own (`own_source`: a
    /// service, a host) is baselined and clock-checked apart, its group named
    /// `file (part)`; a container's stream stays in the file's source.
    pub fn of_part(&self, part: Option<&str>, own_source: bool) -> InputFile {
        let mut file = self.clone();
        if let Some(part) = part {
            if own_source {
                file.group = format!("{} ({part})", file.group);
            }
            file.part = Some(part.to_string());
        }
        file
    }
}

/// Extensions of files that are certainly not logs (Markdown among them: a draft written
/// beside the logs it was drafted from, a README, is no log, and its quoted times would be
/// read as events).
const NOT_LOGS: &[&str] = &[
    "md", "markdown", "png", "jpg", "jpeg", "gif", "bmp", "ico", "svg", "webp", "tif", "tiff", "pdf", "jar", "war", "class", "so", "o",
    "a", "dylib", "exe", "dll", "mp3", "mp4", "wav", "avi", "mov", "woff", "woff2", "ttf", "eot", "pyc", "sqlite", "db", "ibd", "frm",
    "myi", "myd",
];

fn is_hidden(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}

/// The extension by which a file is certainly not a log (`.png`), if it has one.
fn not_a_log(path: &Path) -> Option<String> {
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)?;
    NOT_LOGS.contains(&ext.as_str()).then(|| format!(".{ext}"))
}

/// Name endings of archives and of compressions we do not read: logs may be inside, so
/// they are named in a warning rather than passed over in silence.
const UNREAD_PACKINGS: &[(&str, &str)] = &[
    (".tar.gz", "a tar archive"),
    (".tar.bz2", "a tar archive"),
    (".tar.xz", "a tar archive"),
    (".tar.zst", "a tar archive"),
    (".tgz", "a tar archive"),
    (".tar", "a tar archive"),
    (".zip", "a zip archive"),
    (".7z", "a 7-Zip archive"),
    (".rar", "a RAR archive"),
    (".lz4", "lz4-compressed"),
    (".lzma", "lzma-compressed"),
    (".lz", "lzip-compressed"),
    (".z", "compress(1)-compressed"),
    (".br", "brotli-compressed"),
];

/// Why a file that may hold logs is not read, when it is packed in a way we do not open.
fn unread_packing(path: &Path) -> Option<&'static str> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    UNREAD_PACKINGS
        .iter()
        .find(|(suffix, _)| name.ends_with(suffix))
        .map(|&(_, what)| what)
}

/// `access.log.2.gz` → (`access.log`, 2); `access.log` → (`access.log`, 0).
fn rotation(display: &str) -> (String, u32) {
    let stem = Encoding::strip_suffix(display);
    if let Some((base, number)) = stem.rsplit_once('.') {
        if !number.is_empty() && number.len() <= 4 && number.bytes().all(|b| b.is_ascii_digit()) && !base.is_empty() {
            return (base.to_string(), number.parse().unwrap_or(0));
        }
    }
    (stem.to_string(), 0)
}

/// A path as the draft names it: repeated and trailing separators and inner `.`
/// dropped (`logs//app.log` and `logs/./app.log` are `logs/app.log`), so one file has one
/// name however it was typed.
fn tidy(path: &Path) -> String {
    path.components().collect::<PathBuf>().display().to_string()
}

/// A file found, by the device and inode it is, and whether it was found through a link:
/// Kubernetes links `/var/log/containers/*.log` to the files under `/var/log/pods`, and a
/// directory holding both must read each file once.
#[derive(Clone, Copy)]
struct Found {
    id: (u64, u64),
    link: bool,
}

impl Found {
    fn of(meta: &fs::Metadata, link: bool) -> Found {
        use std::os::unix::fs::MetadataExt;
        Found {
            id: (meta.dev(), meta.ino()),
            link,
        }
    }
}

/// Files found by a walk, each with what it is, and the problems met.
type Walked = (Vec<(PathBuf, Found)>, Vec<Problem>);

/// The files under `dir` (whose device is `device`), each directory's in the order of
/// their names, and the problems met. A directory's entries say their type and inode
/// themselves: a file under a directory lives on its device, so ten thousand files cost
/// no `stat` each; links alone are followed to what they name. Subdirectories are walked
/// on every core, their files kept in order.
fn walk(dir: &Path, device: u64) -> Walked {
    walk_at(dir, device, 0)
}

/// Directory levels walked on every core; deeper ones are walked in order on the thread
/// that reached them, so that a tree hundreds of levels deep does not stack a worker's
/// calls hundreds of times over.
const PARALLEL_LEVELS: usize = 3;

fn walk_at(dir: &Path, device: u64, level: usize) -> Walked {
    use std::os::unix::fs::DirEntryExt;
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) => {
            let problem = Problem::error(dir.display().to_string(), format!("cannot read directory: {e}"));
            return (Vec::new(), vec![problem]);
        }
    };
    let mut entries: Vec<fs::DirEntry> = entries.filter_map(Result::ok).collect();
    // The same order as the paths' (one directory's paths differ in their last name),
    // without comparing them a component at a time.
    entries.sort_by_cached_key(fs::DirEntry::file_name);
    let one = |entry: &fs::DirEntry| -> Walked {
        let path = entry.path();
        if is_hidden(&path) || super::names::is_runtime_metadata(&path) {
            return (Vec::new(), Vec::new());
        }
        if let Some(what) = not_a_log(&path) {
            let problem = Problem::skipped(
                crate::error::Level::Note,
                path.display().to_string(),
                format!("not a log by its name ({what}); skipped"),
            );
            return (Vec::new(), vec![problem]);
        }
        let Ok(kind) = entry.file_type() else {
            return (Vec::new(), Vec::new());
        };
        if kind.is_dir() {
            // A directory may be another device's mount point.
            return match fs::symlink_metadata(&path) {
                Ok(meta) => walk_at(&path, std::os::unix::fs::MetadataExt::dev(&meta), level + 1),
                Err(_) => (Vec::new(), Vec::new()),
            };
        }
        let found = if kind.is_symlink() {
            // Follow links to files, never to directories: that is how loops are made.
            fs::metadata(&path)
                .ok()
                .filter(|target| target.is_file())
                .map(|target| Found::of(&target, true))
        } else if kind.is_file() {
            Some(Found {
                id: (device, entry.ino()),
                link: false,
            })
        } else {
            None
        };
        (found.map(|id| (path, id)).into_iter().collect(), Vec::new())
    };
    let each: Vec<Walked> = if level < PARALLEL_LEVELS {
        entries.par_iter().map(one).collect()
    } else {
        entries.iter().map(one).collect()
    };
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (files, met) in each {
        found.extend(files);
        problems.extend(met);
    }
    (found, problems)
}

/// The input files for `paths`, in a deterministic order: arguments in the order given,
/// each directory's files sorted, each rotated set oldest first.
pub fn discover(paths: &[PathBuf]) -> (Vec<InputFile>, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut found: Vec<(String, Origin, Option<Found>)> = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            found.push(("-".to_string(), Origin::Stdin, None));
            continue;
        }
        match fs::metadata(path) {
            Err(e) => problems.push(Problem::error(
                path.display().to_string(),
                format!("cannot open: {}", super::describe_io(&e)),
            )),
            Ok(meta) if meta.is_dir() => {
                // Walked from its tidy name, the files' names are tidy as they are joined.
                let root: PathBuf = path.components().collect();
                let (files, met) = walk(&root, std::os::unix::fs::MetadataExt::dev(&meta));
                problems.extend(met);
                found.extend(
                    files
                        .into_iter()
                        .map(|(f, id)| (f.display().to_string(), Origin::Path(f), Some(id))),
                );
            }
            Ok(meta) => {
                let link = fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
                found.push((tidy(path), Origin::Path(path.clone()), Some(Found::of(&meta, link))));
            }
        }
    }
    // A file found through a link and under its own name (or through two links) is read
    // once, by its own name: its lines counted twice would double what users saw.
    if found.iter().any(|(_, _, f)| f.is_some_and(|f| f.link)) {
        // A link's target is known by `stat`; the files a walk found by their directory's
        // entries are asked the same (a bind mount or an overlay may give another device).
        for (_, origin, found) in found.iter_mut() {
            if let (Origin::Path(path), Some(f @ Found { link: false, .. })) = (&*origin, found.as_mut()) {
                if let Ok(meta) = fs::symlink_metadata(path) {
                    *f = Found::of(&meta, false);
                }
            }
        }
        let real: std::collections::HashSet<(u64, u64)> =
            found.iter().filter_map(|(_, _, f)| f.filter(|f| !f.link).map(|f| f.id)).collect();
        let mut linked = std::collections::HashSet::new();
        found.retain(|(display, _, f)| match f {
            Some(f) if f.link && (real.contains(&f.id) || !linked.insert(f.id)) => {
                problems.push(Problem::note(display, "a link to a file read under another name; read once"));
                false
            }
            _ => true,
        });
    }
    // What each file's name says, told on every core: an archive we do not read, or the
    // name of the container whose log it is.
    let said: Vec<(Option<&str>, Option<String>)> = found
        .par_iter()
        .map(|(display, origin, _)| match origin {
            Origin::Path(path) => (unread_packing(path), super::names::readable(display, path)),
            Origin::Stdin => (None, None),
        })
        .collect();
    // Each file by the name it is shown by: a container's file by the container's name,
    // unless another file has it.
    let mut seen = std::collections::HashSet::new();
    let mut named_files: Vec<(String, Option<String>, Origin)> = Vec::new();
    for ((found_as, origin, _), (packing, readable)) in found.into_iter().zip(said) {
        // Archives may hold logs: say which were not opened rather than pass them over.
        if let Some(what) = packing {
            problems.push(Problem::warning(
                &found_as,
                format!("{what}: not read; unpack it and pass the files inside"),
            ));
            continue;
        }
        let named = readable.filter(|name| !seen.contains(name));
        if !seen.insert(found_as.clone()) {
            continue;
        }
        named_files.push(match named {
            Some(name) => {
                seen.insert(name.clone());
                (name, Some(found_as), origin)
            }
            None => (found_as, None, origin),
        });
    }
    let displays: Vec<&str> = named_files.iter().map(|(display, _, _)| display.as_str()).collect();
    let keys = set_keys(&displays);
    let files = in_sets(named_files, keys)
        .into_iter()
        .map(|((display, path, origin), group)| InputFile {
            origin,
            compression: Encoding::of_name(&display),
            display,
            path,
            group,
            part: None,
        })
        .collect();
    (files, problems)
}

/// A file's set, its place in it, and the time its name carries: see [`in_sets`].
pub struct SetKey {
    group: String,
    number: u32,
    time: String,
    display: String,
}

/// The set of each file shown by `displays`: its stream's where it is a piece of a
/// layout split by time or node (see `layouts`), else its rotated set. Told from the
/// names on every core: ten thousand pieces' names are matched against every layout.
pub fn set_keys(displays: &[&str]) -> Vec<SetKey> {
    displays
        .par_iter()
        .map(|display| {
            if *display == "-" {
                SetKey {
                    group: "-".to_string(),
                    number: 0,
                    time: String::new(),
                    display: display.to_string(),
                }
            } else if let Some(piece) = super::layouts::piece_of(display) {
                SetKey {
                    group: piece.stream,
                    number: 1,
                    time: piece.order,
                    display: display.to_string(),
                }
            } else {
                let (group, number) = rotation(display);
                SetKey {
                    group,
                    number,
                    time: String::new(),
                    display: display.to_string(),
                }
            }
        })
        .collect()
}

/// Files grouped in their sets, each with its set's name: the sets in the order their
/// first file comes, each set oldest first (the pieces by the time their names carry,
/// older than the live file; higher rotation numbers older; then by name). The parts
/// of one file keep their order.
pub fn in_sets<T>(files: Vec<T>, keys: Vec<SetKey>) -> Vec<(T, String)> {
    let mut order: Vec<String> = Vec::new();
    let mut sets: BTreeMap<String, Vec<(SetKey, T)>> = BTreeMap::new();
    for (file, key) in files.into_iter().zip(keys) {
        if !sets.contains_key(&key.group) {
            order.push(key.group.clone());
        }
        sets.entry(key.group.clone()).or_default().push((key, file));
    }
    let mut ordered = Vec::new();
    for group in order {
        let mut members = sets.remove(&group).unwrap_or_default();
        // Higher rotation numbers are older; the live file (0) is newest.
        members.sort_by(|(a, _), (b, _)| {
            b.number
                .cmp(&a.number)
                .then_with(|| a.time.cmp(&b.time))
                .then_with(|| a.display.cmp(&b.display))
        });
        ordered.extend(members.into_iter().map(|(_, file)| (file, group.clone())));
    }
    ordered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_has_one_name_however_it_was_typed() {
        assert_eq!(tidy(Path::new("scenario//logs/./app.log")), "scenario/logs/app.log");
        assert_eq!(tidy(Path::new("./logs/")), "./logs");
        assert_eq!(tidy(Path::new("/var/log//nginx")), "/var/log/nginx");
        assert_eq!(tidy(Path::new("../logs/../app.log")), "../logs/../app.log");
    }

    #[test]
    fn rotation_names() {
        assert_eq!(rotation("logs/access.log.2.gz"), ("logs/access.log".into(), 2));
        assert_eq!(rotation("logs/access.log.1"), ("logs/access.log".into(), 1));
        assert_eq!(rotation("logs/access.log"), ("logs/access.log".into(), 0));
        assert_eq!(rotation("logs/error.gz"), ("logs/error".into(), 0));
    }

    #[test]
    fn rotated_set_reads_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        for name in [
            "access.log",
            "access.log.1",
            "access.log.2.gz",
            ".hidden.log",
            "logo.png",
            "app.log",
        ] {
            fs::write(dir.path().join(name), b"x\n").unwrap();
        }
        let (files, problems) = discover(&[dir.path().to_path_buf()]);
        // The image is skipped, and said to be; the hidden file is passed over.
        assert_eq!(problems.len(), 1);
        assert!(problems[0].skipped && problems[0].file.ends_with("logo.png"), "{problems:?}");
        let names: Vec<_> = files
            .iter()
            .map(|f| Path::new(&f.display).file_name().unwrap().to_str().unwrap().to_string())
            .collect();
        assert_eq!(names, ["access.log.2.gz", "access.log.1", "access.log", "app.log"]);
        assert_eq!(files[0].group, files[2].group);
        assert_eq!(files[0].compression, Some(Encoding::Gzip));
    }

    #[test]
    fn missing_path_is_a_problem_and_others_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.log"), b"x\n").unwrap();
        let (files, problems) = discover(&[dir.path().join("nope.log"), dir.path().join("a.log")]);
        assert_eq!(files.len(), 1);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].to_string().contains("nope.log"));
    }
}
