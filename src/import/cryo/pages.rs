//! The page headers of a Parquet column chunk, read before the parquet crate decodes it.
//!
//! The crate trusts a page header's `uncompressed_page_size` (and Snappy its preamble): it
//! reserves and fills that many bytes before finding that the data does not hold them. A 3.6 KB
//! file found by fuzzing claimed 1.39 GB that way (2.2 s and 1.39 GB of memory in a release
//! build). So each used column chunk's page headers are read first, from the file, with a
//! Thrift compact-protocol walker that allocates nothing: a page that claims more than the
//! column chunk holds uncompressed in all, or more than [`MAX_PAGE_BYTES`], is refused before
//! anything is decoded.

use std::io::{Read, Seek, SeekFrom};

/// The largest uncompressed page read (writers aim at 1 MiB pages: pyarrow's and polars'
/// default data page size; a dictionary page stays about as small).
pub const MAX_PAGE_BYTES: i64 = 256 << 20;

/// Bytes of a page header read at a time; a header with large statistics can be longer, up to
/// [`MAX_HEADER_BYTES`].
const HEADER_READ: usize = 16 << 10;

/// The longest page header read.
const MAX_HEADER_BYTES: usize = 16 << 20;

/// Where one column chunk lies, from the footer.
#[derive(Debug, Clone, Copy)]
pub struct ChunkSpan {
    /// The first page: the dictionary page's offset, or the first data page's.
    pub start: i64,
    /// Compressed length of all pages with their headers.
    pub compressed: i64,
    /// Uncompressed length of all pages with their headers.
    pub uncompressed: i64,
}

/// Reads every page header of the chunk at `span` in `file` (`file_len` bytes) and checks
/// what it claims. Returns the number of pages.
///
/// # Errors
/// Why the chunk is refused (without the row group and column, which the caller adds).
pub fn check_chunk<F: Read + Seek>(file: &mut F, file_len: u64, span: ChunkSpan) -> Result<usize, String> {
    let len = i64::try_from(file_len).map_err(|_| "the file is too large".to_owned())?;
    let end = span.start.checked_add(span.compressed).filter(|e| span.start >= 0 && span.compressed >= 0 && *e <= len);
    let Some(end) = end else {
        return Err(format!(
            "the column chunk lies outside the file (offset {}, length {}, file of {len} bytes)",
            span.start, span.compressed
        ));
    };
    let limit = MAX_PAGE_BYTES.min(span.uncompressed.max(0));
    let mut pos = span.start;
    let mut pages = 0usize;
    let mut buf = Vec::new();
    while pos < end {
        let header = read_header(file, pos, end, &mut buf)?;
        let page = pages + 1;
        if header.uncompressed < 0 || header.compressed < 0 {
            return Err(format!(
                "page {page} (at byte {pos}) has a negative size ({} compressed, {} uncompressed)",
                header.compressed, header.uncompressed
            ));
        }
        if header.uncompressed > limit {
            return Err(if limit < MAX_PAGE_BYTES {
                format!(
                    "page {page} (at byte {pos}) claims {} bytes uncompressed, but the whole column chunk holds {} \
                     uncompressed: the page header or the footer is damaged",
                    header.uncompressed, span.uncompressed
                )
            } else {
                format!(
                    "page {page} (at byte {pos}) claims {} bytes uncompressed, more than the {MAX_PAGE_BYTES} read: \
                     rewrite the file with smaller pages (cryo and pyarrow write 1 MiB pages)",
                    header.uncompressed
                )
            });
        }
        let next = pos
            .checked_add(i64::try_from(header.length).unwrap_or(i64::MAX))
            .and_then(|p| p.checked_add(header.compressed))
            .filter(|p| *p <= end);
        let Some(next) = next else {
            return Err(format!(
                "page {page} (at byte {pos}) runs past the end of its column chunk (byte {end}): \
                 its header says {} bytes",
                header.compressed
            ));
        };
        pos = next;
        pages += 1;
    }
    Ok(pages)
}

/// What a page header says about its size.
#[derive(Debug, PartialEq, Eq)]
struct Header {
    /// Length of the header itself.
    length: usize,
    uncompressed: i64,
    compressed: i64,
}

/// Reads the page header at `pos` (before `end`), growing the read until the header fits.
fn read_header<F: Read + Seek>(file: &mut F, pos: i64, end: i64, buf: &mut Vec<u8>) -> Result<Header, String> {
    let available = usize::try_from(end - pos).unwrap_or(0);
    let mut want = HEADER_READ.min(available);
    loop {
        buf.resize(want, 0);
        let at = u64::try_from(pos).map_err(|_| format!("a page at byte {pos}"))?;
        file.seek(SeekFrom::Start(at)).map_err(|e| format!("cannot read the page header at byte {pos}: {e}"))?;
        file.read_exact(buf).map_err(|e| format!("cannot read the page header at byte {pos}: {e}"))?;
        match parse_header(buf) {
            Ok(h) => return Ok(h),
            Err(Parse::Short) if want < available.min(MAX_HEADER_BYTES) => {
                want = (want * 4).min(available).min(MAX_HEADER_BYTES);
            }
            Err(Parse::Short) => {
                return Err(format!(
                    "the page header at byte {pos} is cut short or longer than {MAX_HEADER_BYTES} bytes"
                ));
            }
            Err(Parse::Bad(why)) => {
                return Err(format!("the page header at byte {pos} is not a Parquet page header: {why}"));
            }
        }
    }
}

enum Parse {
    /// The bytes end inside the header.
    Short,
    Bad(String),
}

/// Parses a Thrift compact-protocol `PageHeader` at the start of `bytes`: its fields 2
/// (`uncompressed_page_size`) and 3 (`compressed_page_size`), both required, and its length.
fn parse_header(bytes: &[u8]) -> Result<Header, Parse> {
    let mut r = Compact { bytes, pos: 0 };
    let (mut uncompressed, mut compressed) = (None, None);
    let mut last = 0i16;
    loop {
        let (id, ty) = r.field(&mut last)?;
        if ty == STOP {
            break;
        }
        match (id, ty) {
            (2, I32) => uncompressed = Some(r.zigzag()?),
            (3, I32) => compressed = Some(r.zigzag()?),
            (2 | 3, _) => return Err(Parse::Bad(format!("field {id} has type {ty}, expected an i32"))),
            _ => r.skip(ty, 0)?,
        }
    }
    match (uncompressed, compressed) {
        (Some(uncompressed), Some(compressed)) => Ok(Header { length: r.pos, uncompressed, compressed }),
        _ => Err(Parse::Bad("no page sizes".to_owned())),
    }
}

const STOP: u8 = 0;
const I32: u8 = 5;
/// Nesting deeper than this is not a page header.
const MAX_DEPTH: u8 = 16;

/// A reader of the Thrift compact protocol over a byte slice.
struct Compact<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Compact<'_> {
    fn byte(&mut self) -> Result<u8, Parse> {
        let b = *self.bytes.get(self.pos).ok_or(Parse::Short)?;
        self.pos += 1;
        Ok(b)
    }

    fn advance(&mut self, n: u64) -> Result<(), Parse> {
        let n = usize::try_from(n).map_err(|_| Parse::Short)?;
        let to = self.pos.checked_add(n).filter(|to| *to <= self.bytes.len()).ok_or(Parse::Short)?;
        self.pos = to;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, Parse> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Parse::Bad("a variable-length integer longer than 10 bytes".to_owned()))
    }

    fn zigzag(&mut self) -> Result<i64, Parse> {
        let v = self.varint()?;
        Ok(((v >> 1) as i64) ^ -((v & 1) as i64))
    }

    /// A field header: its id (from the delta to `last`, or in full) and type.
    fn field(&mut self, last: &mut i16) -> Result<(i16, u8), Parse> {
        let b = self.byte()?;
        let ty = b & 0x0f;
        if ty == STOP {
            return Ok((0, STOP));
        }
        let delta = i16::from(b >> 4);
        let id = if delta == 0 {
            i16::try_from(self.zigzag()?).map_err(|_| Parse::Bad("a field id out of range".to_owned()))?
        } else {
            last.checked_add(delta).ok_or_else(|| Parse::Bad("a field id out of range".to_owned()))?
        };
        *last = id;
        Ok((id, ty))
    }

    /// Skips a value of type `ty` (compact-protocol type ids).
    fn skip(&mut self, ty: u8, depth: u8) -> Result<(), Parse> {
        if depth > MAX_DEPTH {
            return Err(Parse::Bad("nested too deep".to_owned()));
        }
        match ty {
            1 | 2 => Ok(()),
            3 => self.advance(1),
            4..=6 => self.varint().map(drop),
            7 => self.advance(8),
            8 => {
                let n = self.varint()?;
                self.advance(n)
            }
            9 | 10 => {
                let b = self.byte()?;
                let n = match b >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                let elem = b & 0x0f;
                for _ in 0..n {
                    // A boolean element is one byte in a list.
                    if matches!(elem, 1 | 2) { self.advance(1) } else { self.skip(elem, depth + 1) }?;
                }
                Ok(())
            }
            11 => {
                let n = self.varint()?;
                if n == 0 {
                    return Ok(());
                }
                let types = self.byte()?;
                for _ in 0..n {
                    for t in [types >> 4, types & 0x0f] {
                        if matches!(t, 1 | 2) { self.advance(1) } else { self.skip(t, depth + 1) }?;
                    }
                }
                Ok(())
            }
            12 => {
                let mut last = 0i16;
                loop {
                    let (_, t) = self.field(&mut last)?;
                    if t == STOP {
                        return Ok(());
                    }
                    self.skip(t, depth + 1)?;
                }
            }
            other => Err(Parse::Bad(format!("unknown Thrift type {other}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn varint(mut v: u64, out: &mut Vec<u8>) {
        while v >= 0x80 {
            out.push((v as u8) | 0x80);
            v >>= 7;
        }
        out.push(v as u8);
    }

    fn zigzag(v: i64, out: &mut Vec<u8>) {
        varint(((v << 1) ^ (v >> 63)) as u64, out);
    }

    /// A data page header as writers lay it out: type, sizes, then a DataPageHeader struct
    /// (num_values, encodings, statistics with a binary max).
    fn header(uncompressed: i64, compressed: i64) -> Vec<u8> {
        let mut h = vec![0x15];
        zigzag(0, &mut h); // 1: type DATA_PAGE
        h.push(0x15);
        zigzag(uncompressed, &mut h); // 2
        h.push(0x15);
        zigzag(compressed, &mut h); // 3
        h.push(0x2c); // 5: data_page_header (struct), delta 2
        h.push(0x15);
        zigzag(2, &mut h); // num_values
        h.push(0x15);
        zigzag(0, &mut h); // encoding
        h.push(0x15);
        zigzag(3, &mut h);
        h.push(0x15);
        zigzag(3, &mut h);
        h.push(0x1c); // 5: statistics (struct), delta 1
        h.push(0x18); // 1: max (binary)
        varint(3, &mut h);
        h.extend_from_slice(b"abc");
        h.push(0x31); // 4: a boolean true, delta 3
        h.push(0x29); // 6: a list
        h.push(0x25); // two i32
        zigzag(7, &mut h);
        zigzag(-7, &mut h);
        h.push(0); // end of statistics
        h.push(0); // end of data_page_header
        h.push(0); // end of header
        h
    }

    #[test]
    fn reads_the_sizes_and_the_length_of_a_header() {
        let h = header(1000, 400);
        let parsed = parse_header(&h).ok().expect("a header");
        assert_eq!(parsed, Header { length: h.len(), uncompressed: 1000, compressed: 400 });
        assert!(matches!(parse_header(&h[..h.len() - 1]), Err(Parse::Short)));
    }

    fn file_of(pages: &[(i64, usize)]) -> (std::io::Cursor<Vec<u8>>, ChunkSpan) {
        let mut bytes = b"PAR1".to_vec();
        let mut uncompressed = 0;
        for (u, c) in pages {
            let h = header(*u, *c as i64);
            uncompressed += h.len() as i64 + u;
            bytes.extend_from_slice(&h);
            bytes.extend(std::iter::repeat_n(7u8, *c));
        }
        let span = ChunkSpan { start: 4, compressed: bytes.len() as i64 - 4, uncompressed };
        (std::io::Cursor::new(bytes), span)
    }

    #[test]
    fn walks_every_page_of_a_chunk() {
        let (mut f, span) = file_of(&[(100, 40), (100, 60), (5, 5)]);
        let len = f.get_ref().len() as u64;
        assert_eq!(check_chunk(&mut f, len, span), Ok(3));
    }

    #[test]
    fn refuses_a_page_claiming_more_than_its_chunk_holds() {
        let (mut f, mut span) = file_of(&[(1_390_000_000, 40)]);
        let len = f.get_ref().len() as u64;
        // The footer's total as a writer computes it from the real data.
        span.uncompressed = 120;
        let err = check_chunk(&mut f, len, span).expect_err("refused");
        assert!(err.contains("claims 1390000000 bytes uncompressed, but the whole column chunk holds"), "{err}");
        // With a footer that lies too, the absolute limit holds.
        span.uncompressed = i64::MAX;
        let err = check_chunk(&mut f, len, span).expect_err("refused");
        assert!(err.contains("rewrite the file with smaller pages"), "{err}");
    }

    #[test]
    fn refuses_pages_past_the_chunk_and_chunks_past_the_file() {
        let (mut f, mut span) = file_of(&[(100, 40)]);
        let len = f.get_ref().len() as u64;
        span.compressed -= 1;
        let err = check_chunk(&mut f, len, span).expect_err("refused");
        assert!(err.contains("runs past the end of its column chunk"), "{err}");
        span.compressed = i64::MAX;
        let err = check_chunk(&mut f, len, span).expect_err("refused");
        assert!(err.contains("outside the file"), "{err}");
        span.start = -5;
        assert!(check_chunk(&mut f, len, span).is_err());
    }

    #[test]
    fn refuses_garbage_without_reading_past_the_chunk() {
        let mut bytes = b"PAR1".to_vec();
        bytes.extend_from_slice(&[0x1f; 64]);
        let span = ChunkSpan { start: 4, compressed: 64, uncompressed: 1000 };
        let len = bytes.len() as u64;
        let err = check_chunk(&mut std::io::Cursor::new(bytes), len, span).expect_err("refused");
        assert!(err.contains("is not a Parquet page header") || err.contains("cut short"), "{err}");
    }
}
