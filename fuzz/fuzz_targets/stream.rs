//! A stream read in blocks (gzip files, stdin): any bytes, handed out in reads of any
//! size, with any block size and line limit; and the same bytes gzipped and cut anywhere.
//! Blocks end on line boundaries, their offsets follow each other, nothing is lost but
//! the tails of cut lines, and a broken gzip stream ends with what was read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use postmortem::source::Blocks;
use std::io::{self, Read, Write};

/// Hands out `data` in reads of the sizes `sizes` cycles through.
struct Uneven<'a> {
    data: &'a [u8],
    sizes: &'a [u8],
    turn: usize,
}

impl Read for Uneven<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let size = self.sizes.get(self.turn % self.sizes.len().max(1)).map_or(1, |&s| usize::from(s).max(1));
        self.turn += 1;
        let n = size.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

fuzz_target!(|input: &[u8]| {
    if input.len() < 4 {
        return;
    }
    let (head, data) = input.split_at(4);
    let block = usize::from(head[0]).max(1) * 16;
    let max_line = usize::from(head[1]).max(1) * 8;
    let sizes = &data[..data.len().min(usize::from(head[2]) % 8)];
    let mut blocks = Blocks::new(Uneven { data, sizes, turn: 0 }, Vec::new(), block, max_line);
    let mut offset = 0u64;
    let mut kept = 0usize;
    while let Some((base, bytes)) = blocks.next_block() {
        assert!(base >= offset, "blocks go back: {base} < {offset}");
        offset = base + bytes.len() as u64;
        kept += bytes.len();
    }
    assert!(kept <= data.len() + blocks.cut_lines as usize);
    if blocks.cut_lines == 0 {
        assert_eq!(kept, data.len());
    }

    // Gzipped, then cut at a point the input picks.
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(data).unwrap();
    let gz = encoder.finish().unwrap();
    let cut = gz.len() * usize::from(head[3]) / 255;
    let decoder = flate2::read::MultiGzDecoder::new(&gz[..cut]);
    let mut blocks = Blocks::new(decoder, Vec::new(), block, max_line);
    let mut read = 0usize;
    while let Some((_, bytes)) = blocks.next_block() {
        read += bytes.len();
    }
    assert!(read <= data.len() + blocks.cut_lines as usize);
});
