//! Exports read as records: any bytes as a journal export stream, a binary journal file
//! and a JSON document. Nothing panics or hangs; a text export gives at most one line for
//! each of its lines and the records a one-line document packs (each record at least two
//! bytes); any note is one line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::source::{export_lines, Export};

fuzz_target!(|data: &[u8]| {
    let newlines = data.iter().filter(|&&b| b == b'\n').count();
    for export in [Export::JournalExport, Export::JsonDocument, Export::JournalFile { mapped: false }] {
        let (lines, note) = export_lines(export, data.to_vec());
        let count = lines.iter().filter(|&&b| b == b'\n').count();
        if export == Export::JournalExport {
            assert!(count <= newlines + 1, "{count} lines from {newlines}");
        }
        if export == Export::JsonDocument {
            assert!(count <= newlines + 1 + data.len() / 2);
        }
        assert!(note.is_none_or(|n| !n.contains('\n')));
    }
});
