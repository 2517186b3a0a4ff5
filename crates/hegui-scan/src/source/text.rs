//! Text and logs: lines (of any length up to the limit), read in blocks.

use std::io::BufRead;

use crate::pipeline::Ctx;
use crate::source::decode::{strip_bom, Encoding};
use crate::source::error::{read_err, SourceError};

/// Reads lines (without the line ending) as raw bytes. Complete lines are handed over
/// straight from the reader's buffer; only a line that straddles two buffer fills is
/// copied.
pub(crate) fn lines<R: BufRead>(
    r: &mut R,
    mut each: impl FnMut(u64, &[u8]) -> Result<bool, SourceError>,
) -> Result<(), SourceError> {
    let mut carry: Vec<u8> = Vec::new();
    let mut n = 0u64;
    let mut one = |n: &mut u64, mut line: &[u8]| {
        *n += 1;
        if *n == 1 {
            line = strip_bom(line);
        }
        while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
            line = &line[..line.len() - 1];
        }
        each(*n, line)
    };
    loop {
        let buf = r.fill_buf().map_err(read_err)?;
        if buf.is_empty() {
            // The last line, when the file does not end with a newline.
            if !carry.is_empty() {
                one(&mut n, &carry)?;
            }
            return Ok(());
        }
        let len = buf.len();
        let mut from = 0;
        if !carry.is_empty() {
            // Finish the line begun in the previous fill.
            match memchr::memchr(b'\n', buf) {
                Some(i) => {
                    carry.extend_from_slice(&buf[..=i]);
                    from = i + 1;
                    let go_on = one(&mut n, &carry)?;
                    carry.clear();
                    if !go_on {
                        return Ok(());
                    }
                }
                None => {
                    carry.extend_from_slice(buf);
                    r.consume(len);
                    continue;
                }
            }
        }
        let base = from;
        for i in memchr::memchr_iter(b'\n', &buf[base..]) {
            let end = base + i + 1;
            if !one(&mut n, &buf[from..end])? {
                return Ok(());
            }
            from = end;
        }
        carry.extend_from_slice(&buf[from..]);
        r.consume(len);
    }
}

pub(crate) fn text<R: BufRead>(r: &mut R, enc: Encoding, ctx: &mut Ctx) -> Result<(), SourceError> {
    // Lines go to the detectors in blocks: one call per block instead of one per line (a
    // log line is ~100 bytes). Blocks are cut at line ends, so no detector sees half a
    // line, and context windows stop at line breaks, so results equal a line-by-line scan.
    let block_bytes = (ctx.opts.batch_bytes / 8).clamp(256, 64 << 10);
    let mut lines = TextLines {
        enc,
        block_bytes,
        next_line: 1,
        block: Vec::with_capacity(block_bytes + 4096),
    };
    // A line begun in one fill of the read buffer and finished in a later one.
    let mut carry: Vec<u8> = Vec::new();
    let mut at_start = true;
    loop {
        let buf = r.fill_buf().map_err(read_err)?;
        let len = buf.len();
        if len == 0 {
            // The last line, when the file does not end with a newline.
            lines.slow(&carry, ctx)?;
            return Ok(());
        }
        let mut from = 0;
        if at_start {
            at_start = false;
            if buf.starts_with(b"\xEF\xBB\xBF") {
                from = 3;
            }
        }
        if !carry.is_empty() || memchr::memchr(b'\n', &buf[from..]).is_none() {
            // Finish the carried line (or carry on with it).
            match memchr::memchr(b'\n', &buf[from..]) {
                Some(i) => {
                    carry.extend_from_slice(&buf[from..from + i + 1]);
                    from += i + 1;
                    lines.slow(&carry, ctx)?;
                    carry.clear();
                }
                None => {
                    carry.extend_from_slice(&buf[from..]);
                    r.consume(len);
                    continue;
                }
            }
        }
        // Whole lines straight from the read buffer; the unfinished one is carried.
        let end = memchr::memrchr(b'\n', &buf[from..]).map_or(from, |i| from + i + 1);
        lines.whole(&buf[from..end], ctx)?;
        carry.extend_from_slice(&buf[end..]);
        r.consume(len);
    }
}

/// The empty lines of whole lines: a line end at the start or right after another. Found
/// from the rare `\n\n` rather than by looking at every line end.
pub(crate) fn empty_lines(block: &[u8]) -> u32 {
    let mut empty = u32::from(block.first() == Some(&b'\n'));
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&block[from..], b"\n\n") {
        // A run of k line ends holds k - 1 empty lines.
        let run_start = from + i;
        let k = block[run_start..]
            .iter()
            .take_while(|&&b| b == b'\n')
            .count();
        empty += (k - 1) as u32;
        from = run_start + k;
    }
    empty
}

/// Hands whole lines of a text file to the detectors in blocks, numbering them.
pub(crate) struct TextLines {
    pub(crate) enc: Encoding,
    pub(crate) block_bytes: usize,
    /// The number of the next line.
    pub(crate) next_line: u64,
    /// A block being built line by line (the slow path).
    pub(crate) block: Vec<u8>,
}

impl TextLines {
    /// Whole lines (each ending in `\n`). UTF-8 without carriage returns — nearly every log
    /// — goes to the detectors as it is, in blocks of about `block_bytes`; anything else
    /// line by line.
    pub(crate) fn whole(&mut self, mut text: &[u8], ctx: &mut Ctx) -> Result<(), SourceError> {
        while !text.is_empty() {
            let cut = if text.len() <= self.block_bytes {
                text.len()
            } else {
                // The last line end within the block's size, or else the first after it.
                memchr::memrchr(b'\n', &text[..self.block_bytes])
                    .or_else(|| {
                        memchr::memchr(b'\n', &text[self.block_bytes..])
                            .map(|i| i + self.block_bytes)
                    })
                    .map_or(text.len(), |i| i + 1)
            };
            let (block, rest) = text.split_at(cut);
            text = rest;
            let plain = self.enc != Encoding::Gb18030 && memchr::memchr(b'\r', block).is_none();
            match plain.then(|| crate::source::decode::utf8(block)).flatten() {
                Some(s) => {
                    let n = memchr::memchr_iter(b'\n', block).count() as u32;
                    let empty = empty_lines(block);
                    ctx.acc.records += u64::from(n);
                    ctx.push_block(self.next_line, n - empty, s)?;
                    self.next_line += u64::from(n);
                }
                _ => self.slow(block, ctx)?,
            }
        }
        Ok(())
    }

    /// Lines one by one: trailing `\r` stripped, decoded from the file's encoding, invalid
    /// bytes counted per line. The last line may lack its `\n`.
    pub(crate) fn slow(&mut self, text: &[u8], ctx: &mut Ctx) -> Result<(), SourceError> {
        let (mut first, mut cells) = (self.next_line, 0u32);
        for mut line in text.split_inclusive(|&b| b == b'\n') {
            while line.last().is_some_and(|&b| b == b'\n' || b == b'\r') {
                line = &line[..line.len() - 1];
            }
            ctx.acc.records += 1;
            if self.block.is_empty() {
                first = self.next_line;
            }
            self.next_line += 1;
            self.block.extend_from_slice(line);
            self.block.push(b'\n');
            cells += u32::from(!line.is_empty());
            if self.block.len() >= self.block_bytes {
                self.flush(first, cells, ctx)?;
                cells = 0;
            }
        }
        if !self.block.is_empty() {
            self.flush(first, cells, ctx)?;
        }
        Ok(())
    }

    pub(crate) fn flush(
        &mut self,
        first: u64,
        cells: u32,
        ctx: &mut Ctx,
    ) -> Result<(), SourceError> {
        let (s, bad) = self.enc.decode(&self.block);
        if bad {
            // Counted per line, as for every other source (rare: only on invalid bytes).
            let lines = self.block.split(|&b| b == b'\n');
            ctx.acc.replaced += lines.filter(|l| self.enc.decode(l).1).count() as u64;
        }
        ctx.push_block(first, cells, &s)?;
        self.block.clear();
        Ok(())
    }
}
