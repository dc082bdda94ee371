//! Reading and writing an import on two threads: the reader (parsing, validating, hashing
//! identities) runs on a named thread and hands records over in batches through a bounded
//! channel, while the calling thread writes them into the SQLite transaction. On a two-core
//! workstation this overlaps parsing with SQLite's work; memory stays bounded by the channel.

use std::io::BufRead;
use std::sync::mpsc::{SyncSender, sync_channel};

use rusqlite::types::Value;

use super::codec;
use crate::import::{self, AssetInfo, BlockTime, Format, ReadContext, ReadError, Refusal, Sink};
use crate::model::{Label, Transfer};

/// Records per message between the threads.
const BATCH: usize = 8192;
/// Messages in flight: bounds memory to a few thousand records.
const IN_FLIGHT: usize = 8;

/// One thing the reader found, in file order. Transfers are by far the most common item and are
/// moved in batches of [`BATCH`], so they are kept inline: boxing each would cost an allocation
/// per transfer on the import's hot path.
#[allow(clippy::large_enum_variant)]
pub(super) enum Item {
    /// A data row was read.
    Row,
    /// A transfer with its encoded columns.
    Transfer(Prepared),
    /// A label.
    Label(Label),
    /// Asset metadata.
    Asset(AssetInfo),
    /// A refused row.
    Refuse(Refusal),
    /// A skipped row.
    Skip(&'static str),
    /// The reader decided the file's chain: chain and rule.
    Chain(String, String),
    /// A block's time.
    BlockTime(BlockTime),
}

/// A transfer and the columns the reader thread already encoded for the ledger, so the writer
/// thread only binds and steps.
pub(super) struct Prepared {
    /// The transfer as read.
    pub transfer: Transfer,
    /// Encoded transaction hash.
    pub tx_hash: Value,
    /// Its integer key.
    pub tx_key: i64,
    /// Encoded amount.
    pub amount: Vec<u8>,
    /// Encoded fee.
    pub fee: Option<Vec<u8>>,
    /// Encoded spent output: hash, key, index.
    pub prev: Option<(Value, i64, i64)>,
}

/// Where the writer side puts items.
pub(super) trait Apply {
    /// Stores one item.
    ///
    /// # Errors
    /// A storage failure; the import stops.
    fn apply(&mut self, item: Item) -> Result<(), ReadError>;
}

/// The reader side's [`Sink`]: encodes columns and batches items. (Identities are hashed on
/// the writer side, which has time to spare while the reader parses.)
struct ChannelSink {
    out: SyncSender<Vec<Item>>,
    buf: Vec<Item>,
    /// The latest time a transfer may have, read from the clock once per import.
    latest: i64,
}

impl ChannelSink {
    fn push(&mut self, item: Item) -> Result<(), ReadError> {
        self.buf.push(item);
        if self.buf.len() >= BATCH { self.flush() } else { Ok(()) }
    }

    fn flush(&mut self) -> Result<(), ReadError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let batch = std::mem::replace(&mut self.buf, Vec::with_capacity(2 * BATCH + 16));
        self.out.send(batch).map_err(|_| ReadError::Sink("the ledger writer stopped".to_owned()))
    }
}

impl Sink for ChannelSink {
    fn row(&mut self) {
        // Rows, refusals and skips ride along with the next batch (`push` flushes); the buffer
        // is sized so they never make it grow.
        self.buf.push(Item::Row);
    }
    fn transfer(&mut self, t: Transfer) -> Result<(), ReadError> {
        // One rule for every reader: a time no chain can have is refused, whatever the format.
        if let Some(secs) = t.time
            && let Err(message) = import::time::check_range_until(secs, self.latest)
        {
            self.buf.push(Item::Refuse(Refusal::new(t.line, "time", message)));
            return Ok(());
        }
        let tx_hash = codec::tx_to_sql(&t.tx_hash);
        let prev = t.prev_out.as_ref().map(|(tx, n)| {
            let prev = codec::tx_to_sql(tx);
            let key = codec::tx_key(&prev);
            (prev, key, *n)
        });
        let prepared = Prepared {
            tx_key: codec::tx_key(&tx_hash),
            tx_hash,
            amount: codec::amount_to_sql(t.amount_base),
            fee: t.fee_base.map(codec::amount_to_sql),
            prev,
            transfer: t,
        };
        self.push(Item::Transfer(prepared))
    }
    fn label(&mut self, l: Label) -> Result<(), ReadError> {
        self.push(Item::Label(l))
    }
    fn asset(&mut self, a: AssetInfo) -> Result<(), ReadError> {
        self.push(Item::Asset(a))
    }
    fn refuse(&mut self, r: Refusal) {
        self.buf.push(Item::Refuse(r));
    }
    fn skip(&mut self, _line: u64, reason: &'static str) {
        self.buf.push(Item::Skip(reason));
    }
    fn chain_decided(&mut self, chain: &str, rule: &str) {
        self.buf.push(Item::Chain(chain.to_owned(), rule.to_owned()));
    }
    fn block_time(&mut self, b: BlockTime) -> Result<(), ReadError> {
        self.push(Item::BlockTime(b))
    }
}

/// Reads `input` as `format` on a reader thread and applies every item to `writer` here.
///
/// # Errors
/// The reader's [`ReadError`], or the writer's first failure (which stops the reader).
pub(super) fn run(
    format: Format,
    input: &mut (dyn BufRead + Send),
    ctx: &ReadContext<'_>,
    writer: &mut dyn Apply,
) -> Result<(), ReadError> {
    let (tx, rx) = sync_channel::<Vec<Item>>(IN_FLIGHT);
    std::thread::scope(|scope| {
        let reader =
            std::thread::Builder::new().name("hoptrace-import-reader".to_owned()).spawn_scoped(scope, move || {
                let mut sink =
                    ChannelSink { out: tx, buf: Vec::with_capacity(2 * BATCH + 16), latest: import::time::latest() };
                let read = import::read(format, input, ctx, &mut sink);
                let flushed = sink.flush();
                read.and(flushed)
            });
        let reader = match reader {
            Ok(r) => r,
            Err(e) => return Err(ReadError::Sink(format!("cannot start the reader thread: {e}"))),
        };
        let mut write_result = Ok(());
        'batches: for batch in &rx {
            for item in batch {
                if let Err(e) = writer.apply(item) {
                    write_result = Err(e);
                    break 'batches;
                }
            }
        }
        drop(rx); // a reader still sending sees the writer gone and stops
        let read_result =
            reader.join().unwrap_or_else(|_| Err(ReadError::Sink("the import reader thread panicked".to_owned())));
        write_result.and(read_result)
    })
}
