//! Exports read as records: any bytes as a journal export stream, a binary journal file,
//! a JSON document and a CSV export, carried or as printed. Nothing panics or hangs; a text export gives at most one line for
//! each of its lines and the records a one-line document packs (each record at least two
//! bytes); any note is one line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::source::{export_lines, Export, Style};

fuzz_target!(|data: &[u8]| {
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    let exports = [Export::JournalExport, Export::JsonDocument, Export::Csv, Export::JournalFile { mapped: false }];
    let styles = [Style::Carried, Style::Printed { stamped: true }];
    for (export, style) in exports.into_iter().flat_map(|e| styles.map(|s| (e, s))) {
        let (lines, note) = export_lines(export, style, data.to_vec());
        let count = lines.iter().filter(|&&b| b == b'\n').count();
        if matches!(export, Export::JournalExport | Export::Csv) {
            assert!(count <= newlines + 1, "{count} lines from {newlines}");
        }
        if export == Export::JsonDocument {
            assert!(count <= newlines + 1 + data.len() / 2);
        }
        assert!(note.is_none_or(|n| !n.contains('\n')));
    }
});
