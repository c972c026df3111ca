//! How a file's bytes are stored when they are not its lines as they are: compressed
//! (gzip, bzip2, xz, zstd; rotated logs are often all four) or in UTF-16. Each is undone
//! by a reader that streams: no file is ever held whole.
//!
//! A file is known by its name (`.gz`, `.bz2`, `.xz`, `.zst`) or, whatever its name, by
//! its first bytes (a compressor's magic number, a UTF-16 byte order mark), so a rotation
//! renamed `access.log.1` that is gzip inside is still read.

use std::io::{self, Read};

/// A way a file's bytes must be decoded before its lines can be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    Gzip,
    Bzip2,
    Xz,
    Zstd,
    /// UTF-16, little-endian, after its byte order mark.
    Utf16Le,
    /// UTF-16, big-endian, after its byte order mark.
    Utf16Be,
}

/// Name endings of the compressions we read.
const SUFFIXES: [(&str, Encoding); 4] = [
    (".gz", Encoding::Gzip),
    (".bz2", Encoding::Bzip2),
    (".xz", Encoding::Xz),
    (".zst", Encoding::Zstd),
];

impl Encoding {
    /// The name the sources report gives its reading.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Gzip => "gzip",
            Encoding::Bzip2 => "bzip2",
            Encoding::Xz => "xz",
            Encoding::Zstd => "zstd",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    /// The compression a file's name ends with.
    pub fn of_name(name: &str) -> Option<Encoding> {
        SUFFIXES.iter().find(|(suffix, _)| name.ends_with(suffix)).map(|&(_, e)| e)
    }

    /// A name without its compression's ending: the rotated set it belongs to.
    pub fn strip_suffix(name: &str) -> &str {
        SUFFIXES.iter().find_map(|(suffix, _)| name.strip_suffix(suffix)).unwrap_or(name)
    }

    /// The encoding the first bytes of a file show, from the formats' own magic numbers
    /// (RFC 1952, bzip2's `BZh`, the xz and zstd frame headers) and UTF-16's byte order
    /// marks.
    pub fn of_magic(head: &[u8]) -> Option<Encoding> {
        match head {
            [0x1f, 0x8b, ..] => Some(Encoding::Gzip),
            [b'B', b'Z', b'h', b'1'..=b'9', ..] => Some(Encoding::Bzip2),
            [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..] => Some(Encoding::Xz),
            [0x28, 0xb5, 0x2f, 0xfd, ..] => Some(Encoding::Zstd),
            [0xff, 0xfe, ..] => Some(Encoding::Utf16Le),
            [0xfe, 0xff, ..] => Some(Encoding::Utf16Be),
            _ => None,
        }
    }

    /// A reader of the decoded bytes of `raw`.
    pub fn decoder<'a, R: io::BufRead + Send + 'a>(self, raw: R) -> io::Result<Box<dyn Read + Send + 'a>> {
        Ok(match self {
            Encoding::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(raw)),
            Encoding::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(raw)),
            Encoding::Xz => Box::new(liblzma::bufread::XzDecoder::new_multi_decoder(raw)),
            Encoding::Zstd => Box::new(zstd::stream::read::Decoder::with_buffer(raw)?),
            Encoding::Utf16Le => Box::new(Utf16Reader::new(raw, false)),
            Encoding::Utf16Be => Box::new(Utf16Reader::new(raw, true)),
        })
    }
}

/// UTF-16 read as UTF-8: the byte order mark dropped, surrogate pairs joined, a unit that
/// is no character (a lone surrogate) read as U+FFFD. An odd byte at the end is an error
/// once everything before it has been read.
pub struct Utf16Reader<R> {
    raw: R,
    big_endian: bool,
    /// UTF-8 decoded and not yet handed out.
    out: Vec<u8>,
    out_at: usize,
    /// A byte of a unit whose other byte has not come yet.
    odd: Option<u8>,
    /// A high surrogate waiting for its low half.
    high: Option<u16>,
    started: bool,
    ended: bool,
}

impl<R: Read> Utf16Reader<R> {
    pub fn new(raw: R, big_endian: bool) -> Utf16Reader<R> {
        Utf16Reader {
            raw,
            big_endian,
            out: Vec::new(),
            out_at: 0,
            odd: None,
            high: None,
            started: false,
            ended: false,
        }
    }

    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
    }

    fn push_unit(&mut self, unit: u16) {
        if !self.started {
            self.started = true;
            if unit == 0xfeff {
                return;
            }
        }
        match (self.high.take(), unit) {
            (Some(high), 0xdc00..=0xdfff) => {
                let code = 0x10000 + ((u32::from(high) - 0xd800) << 10) + (u32::from(unit) - 0xdc00);
                self.push_char(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
            (high, 0xd800..=0xdbff) => {
                if high.is_some() {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                self.high = Some(unit);
            }
            (high, unit) => {
                if high.is_some() {
                    self.push_char(char::REPLACEMENT_CHARACTER);
                }
                self.push_char(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER));
            }
        }
    }

    /// Decodes the next piece of the raw stream into `out`; false at its end.
    fn decode_more(&mut self) -> io::Result<bool> {
        let mut raw = [0u8; 16 * 1024];
        let n = loop {
            match self.raw.read(&mut raw) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        self.out.clear();
        self.out_at = 0;
        if n == 0 {
            if self.high.take().is_some() {
                self.push_char(char::REPLACEMENT_CHARACTER);
            }
            return Ok(!self.out.is_empty());
        }
        let mut bytes = raw[..n].iter().copied();
        if let Some(first) = self.odd.take() {
            if let Some(second) = bytes.next() {
                self.push_pair(first, second);
            }
        }
        loop {
            match (bytes.next(), bytes.next()) {
                (Some(a), Some(b)) => self.push_pair(a, b),
                (Some(a), None) => {
                    self.odd = Some(a);
                    break;
                }
                _ => break,
            }
        }
        Ok(true)
    }

    fn push_pair(&mut self, a: u8, b: u8) {
        let unit = if self.big_endian {
            u16::from_be_bytes([a, b])
        } else {
            u16::from_le_bytes([a, b])
        };
        self.push_unit(unit);
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.out_at == self.out.len() {
            if self.ended {
                return Ok(0);
            }
            if !self.decode_more()? {
                self.ended = true;
                if self.odd.take().is_some() {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "UTF-16 with an odd number of bytes: its last byte was dropped",
                    ));
                }
            }
        }
        let n = buf.len().min(self.out.len() - self.out_at);
        buf[..n].copy_from_slice(&self.out[self.out_at..self.out_at + n]);
        self.out_at += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn decoded(encoding: Encoding, bytes: &[u8]) -> (String, Option<io::Error>) {
        let mut reader = encoding.decoder(bytes).unwrap();
        let mut out = Vec::new();
        let error = reader.read_to_end(&mut out).err();
        (String::from_utf8(out).unwrap(), error)
    }

    const TEXT: &str = "2024-01-21 15:30:00 ERROR pool exhausted\nJan 21 15:31:00 host cron[1]: é ✓ 𝄞\n";

    #[test]
    fn each_compression_is_known_by_name_and_by_its_first_bytes_and_read_back() {
        let gzip = {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            w.write_all(TEXT.as_bytes()).unwrap();
            w.finish().unwrap()
        };
        let bzip2 = {
            let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
            w.write_all(TEXT.as_bytes()).unwrap();
            w.finish().unwrap()
        };
        let xz = {
            let mut w = liblzma::write::XzEncoder::new(Vec::new(), 1);
            w.write_all(TEXT.as_bytes()).unwrap();
            w.finish().unwrap()
        };
        let zstd = zstd::stream::encode_all(TEXT.as_bytes(), 1).unwrap();
        for (name, bytes, encoding) in [
            ("access.log.2.gz", gzip, Encoding::Gzip),
            ("access.log.3.bz2", bzip2, Encoding::Bzip2),
            ("access.log.4.xz", xz, Encoding::Xz),
            ("access.log.5.zst", zstd, Encoding::Zstd),
        ] {
            assert_eq!(Encoding::of_name(name), Some(encoding));
            assert_eq!(Encoding::of_magic(&bytes), Some(encoding), "{name}");
            assert_eq!(Encoding::strip_suffix(name).rsplit_once('.').unwrap().0, "access.log");
            let (text, error) = decoded(encoding, &bytes);
            assert_eq!((text.as_str(), error.is_none()), (TEXT, true), "{name}");
            // Cut short: what came before the cut is kept, and the end is an error.
            let (text, error) = decoded(encoding, &bytes[..bytes.len() * 2 / 3]);
            assert!(TEXT.starts_with(&text) && error.is_some(), "{name}: {text:?} {error:?}");
        }
        assert_eq!(Encoding::of_magic(b"2024-01-21 plain"), None);
        assert_eq!(Encoding::of_name("access.log"), None);
    }

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        let mut bytes = if big_endian { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
        for unit in text.encode_utf16() {
            bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
        }
        bytes
    }

    #[test]
    fn utf16_reads_as_utf8_in_either_byte_order() {
        for big_endian in [false, true] {
            let bytes = utf16(TEXT, big_endian);
            let encoding = Encoding::of_magic(&bytes).unwrap();
            let (text, error) = decoded(encoding, &bytes);
            assert_eq!(text, TEXT);
            assert!(error.is_none());
            // One byte short: the text up to the last whole unit, and an error that says so.
            let (text, error) = decoded(encoding, &bytes[..bytes.len() - 1]);
            assert_eq!(text, TEXT.trim_end_matches('\n'));
            assert!(error.unwrap().to_string().contains("odd number of bytes"));
        }
        // A lone surrogate is no character: U+FFFD, and the rest is read.
        let (text, _) = decoded(Encoding::Utf16Le, &[0xff, 0xfe, 0x00, 0xd8, b'a', 0]);
        assert_eq!(text, "\u{fffd}a");
    }

    #[test]
    fn a_surrogate_pair_split_between_reads_is_joined() {
        // A reader that hands out one byte at a time.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((&first, rest)) = self.0.split_first() else { return Ok(0) };
                buf[0] = first;
                self.0 = rest;
                Ok(1)
            }
        }
        let bytes = utf16("a𝄞b", false);
        let mut out = String::new();
        Utf16Reader::new(Trickle(&bytes), false).read_to_string(&mut out).unwrap();
        assert_eq!(out, "a𝄞b");
    }
}
