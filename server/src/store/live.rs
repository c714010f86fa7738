//! Live changes (issue 20): what readers with the page open hear of, as the event stream
//! (`comments::live`) sends it. A write that changes the public thread (a comment stored
//! approved or approved later, rejected or deleted, edited, liked) calls `live_changed` after
//! its commit. On SQLite that is this process, the only one on the file; on PostgreSQL it is
//! a `NOTIFY` on `LIVE_CHANNEL` that every instance's listener hears (`listen_for_outbox`
//! listens on both channels), its own included, so each instance's streams hear every
//! instance's writes. Payloads carry ids only (NOTIFY's limit is 8,000 bytes); the hub's one
//! task reads what it sends, once per change, whatever the number of streams.
//!
//! Events are numbered per process (`EPOCH-SEQ`, the epoch random at start) and the last
//! `RECENT` are kept, so a stream that comes back with `Last-Event-ID` gets what it missed,
//! or, when that is gone (another instance's id, a restart, too long away, a lost
//! notification), one `resync` telling the widget to read its first page again.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::{Engine, Store, StoredComment};

/// The channel on which PostgreSQL tells every instance of a public change.
pub const LIVE_CHANNEL: &str = "comment_live";

/// Events kept for streams that come back (across all articles).
const RECENT: usize = 1024;
/// Changes waiting for the hub's task; beyond it they are dropped and every stream resyncs.
const WAITING: usize = 4096;
/// Streams one process serves, and streams from one client address, unless told otherwise
/// (`--live-streams`, `--live-streams-per-address`).
pub const DEFAULT_STREAMS: usize = 5_000;
pub const DEFAULT_STREAMS_PER_ADDRESS: usize = 16;

/// What changed in a public thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LiveKind {
    /// A comment became public: stored approved, or approved by a moderator.
    Approved,
    /// A public comment's text changed (the edit feature calls `Store::live_changed` with it).
    Edited,
    /// A comment is no longer public: deleted, rejected, marked spam or held again.
    Deleted,
    /// A comment's like count moved.
    Likes,
}

impl LiveKind {
    /// The event's name on the stream.
    pub fn name(self) -> &'static str {
        match self {
            LiveKind::Approved => "approved",
            LiveKind::Edited => "edited",
            LiveKind::Deleted => "deleted",
            LiveKind::Likes => "likes",
        }
    }
}

/// A change as writers announce it: ids only.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LiveChange {
    pub kind: LiveKind,
    pub article_id: String,
    pub comment_id: String,
}

impl LiveChange {
    pub fn new(kind: LiveKind, article_id: &str, comment_id: &str) -> LiveChange {
        LiveChange {
            kind,
            article_id: article_id.to_owned(),
            comment_id: comment_id.to_owned(),
        }
    }
}

/// An event as streams send it, read once for all of them.
#[derive(Debug)]
pub struct LiveEvent {
    pub seq: u64,
    /// `None`: every stream resyncs (a notification may have been lost).
    pub change: Option<LiveChange>,
    /// The comment as it now is (approved and edited events; approved, or there is no event).
    pub comment: Option<StoredComment>,
    /// Its like count.
    pub likes: i64,
    /// The event's data as the stream writes it: built by the first stream that sends it.
    pub data: OnceLock<String>,
}

/// What a new stream starts with.
pub struct LiveSubscription {
    pub receiver: broadcast::Receiver<Arc<LiveEvent>>,
    /// The id of the last event before the stream's first.
    pub last_seq: u64,
    /// What it missed since its `Last-Event-ID`, for its article; `None`: resync.
    pub missed: Option<Vec<Arc<LiveEvent>>>,
}

/// Why a stream is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StreamsFull {
    /// This process serves as many as it may.
    Service,
    /// This client address has as many as it may.
    Address,
}

/// A stream's place, given back when it ends (dropped).
pub struct StreamSlot {
    hub: Arc<LiveHub>,
    address: String,
}

impl Drop for StreamSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.hub.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(count) = open.by_address.get_mut(&self.address) {
                *count -= 1;
                if *count == 0 {
                    open.by_address.remove(&self.address);
                }
            }
        }
    }
}

#[derive(Default)]
struct Recent {
    last_seq: u64,
    events: VecDeque<Arc<LiveEvent>>,
}

#[derive(Default)]
struct OpenStreams {
    total: usize,
    by_address: HashMap<String, usize>,
    most: usize,
    most_per_address: usize,
}

/// One per process (shared by the store's clones).
pub(super) struct LiveHub {
    epoch: String,
    recent: Mutex<Recent>,
    sender: broadcast::Sender<Arc<LiveEvent>>,
    changes: mpsc::Sender<LiveChange>,
    open: Mutex<OpenStreams>,
    ended: CancellationToken,
}

impl LiveHub {
    /// The hub and the receiving end its task reads changes from (`Store::run_live`).
    pub(super) fn new() -> (Arc<LiveHub>, mpsc::Receiver<LiveChange>) {
        let (changes, waiting) = mpsc::channel(WAITING);
        // Random, so that two instances (or one restarted) never share ids.
        let epoch = getrandom::u32().unwrap_or_else(|_| std::process::id());
        let hub = LiveHub {
            epoch: format!("{epoch:08x}"),
            recent: Mutex::default(),
            sender: broadcast::channel(RECENT).0,
            changes,
            open: Mutex::new(OpenStreams {
                most: DEFAULT_STREAMS,
                most_per_address: DEFAULT_STREAMS_PER_ADDRESS,
                ..OpenStreams::default()
            }),
            ended: CancellationToken::new(),
        };
        (Arc::new(hub), waiting)
    }

    /// Numbers the event, keeps it and sends it to every stream.
    fn publish(&self, change: Option<LiveChange>, comment: Option<StoredComment>, likes: i64) {
        let Ok(mut recent) = self.recent.lock() else {
            return;
        };
        recent.last_seq += 1;
        let seq = recent.last_seq;
        // Kept without the comment: a stream that comes back reads it again as it now is
        // (`comments::live`), so the kept events hold ids, never text (nothing erased or
        // edited away stays in memory, and a long comment edited again and again costs the
        // service its id, not its text, per kept event).
        if recent.events.len() == RECENT {
            recent.events.pop_front();
        }
        recent.events.push_back(Arc::new(LiveEvent {
            seq,
            change: change.clone(),
            comment: None,
            likes,
            data: OnceLock::new(),
        }));
        let event = Arc::new(LiveEvent {
            seq,
            change,
            comment,
            likes,
            data: OnceLock::new(),
        });
        // No stream listening is not an error.
        let _ = self.sender.send(event);
    }
}

impl Store {
    /// After a commit that changed a public thread: tells every stream (see the module).
    /// Never fails the write: a change not told is logged, and the streams resync.
    pub async fn live_changed(&self, change: LiveChange) {
        match self.engine {
            Engine::Sqlite => self.live_heard(change),
            Engine::Postgres => {
                let payload = match serde_json::to_string(&change) {
                    Ok(payload) => payload,
                    Err(error) => {
                        tracing::warn!(%error, "a live change could not be written");
                        return;
                    }
                };
                let sent = sqlx::query(&self.sql("SELECT pg_notify(?, ?)"))
                    .bind(LIVE_CHANNEL)
                    .bind(payload)
                    .execute(&self.pool)
                    .await;
                if let Err(error) = sent {
                    tracing::warn!(%error, "a live change was not announced; streams resync");
                    self.live_resync();
                }
            }
        }
    }

    /// A change heard (on PostgreSQL, a notification's payload), queued for the hub's task.
    pub(super) fn live_heard(&self, change: LiveChange) {
        if self.live.changes.try_send(change).is_err() {
            tracing::warn!("live changes come faster than they are read; streams resync");
            self.live_resync();
        }
    }

    /// A notification's payload on `LIVE_CHANNEL`.
    pub(super) fn live_notified(&self, payload: &str) {
        match serde_json::from_str::<LiveChange>(payload) {
            Ok(change) => self.live_heard(change),
            Err(error) => tracing::warn!(%error, "an unreadable live notification"),
        }
    }

    /// Every stream is told to read its first page again (changes may have been missed).
    pub fn live_resync(&self) {
        self.live.publish(None, None, 0);
    }

    /// The hub's task: reads each change's comment once, in order, and sends the event.
    pub(super) async fn run_live(self, mut waiting: mpsc::Receiver<LiveChange>) {
        while let Some(change) = waiting.recv().await {
            match self.live_event(&change).await {
                Ok(Some((comment, likes))) => self.live.publish(Some(change), comment, likes),
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, "a live change could not be read; streams resync");
                    self.live_resync();
                }
            }
        }
    }

    /// What the change's event carries; `None`: no event (the comment is not public).
    async fn live_event(
        &self,
        change: &LiveChange,
    ) -> super::Result<Option<(Option<StoredComment>, i64)>> {
        if change.kind == LiveKind::Deleted {
            return Ok(Some((None, 0)));
        }
        let Some(comment) = self.comment(&change.comment_id).await? else {
            return Ok(None);
        };
        if comment.status != super::ModerationStatus::Approved
            || comment.article_id != change.article_id
        {
            return Ok(None);
        }
        let likes = self
            .like_counts(std::slice::from_ref(&comment.id))
            .await?
            .get(&comment.id)
            .copied()
            .unwrap_or(0);
        let comment = (change.kind != LiveKind::Likes).then_some(comment);
        Ok(Some((comment, likes)))
    }

    /// A new stream for `article_id`, coming back after `last_event_id` if it says so.
    pub fn subscribe_live(
        &self,
        article_id: &str,
        last_event_id: Option<&str>,
    ) -> LiveSubscription {
        let hub = &self.live;
        let recent = match hub.recent.lock() {
            Ok(recent) => recent,
            Err(poisoned) => poisoned.into_inner(),
        };
        // Subscribed while the numbering is held: nothing falls between the missed and the new.
        let receiver = hub.sender.subscribe();
        let missed = match last_event_id {
            None => Some(Vec::new()),
            Some(id) => {
                let seq = id
                    .split_once('-')
                    .filter(|(epoch, _)| *epoch == hub.epoch)
                    .and_then(|(_, seq)| seq.parse::<u64>().ok())
                    .filter(|seq| *seq <= recent.last_seq);
                let oldest_kept = recent.events.front().map_or(recent.last_seq + 1, |e| e.seq);
                match seq {
                    Some(seq) if seq + 1 >= oldest_kept => {
                        let after: Vec<Arc<LiveEvent>> = recent
                            .events
                            .iter()
                            .filter(|event| event.seq > seq)
                            .filter(|event| {
                                event
                                    .change
                                    .as_ref()
                                    .is_none_or(|change| change.article_id == article_id)
                            })
                            .cloned()
                            .collect();
                        // A resync among them: the stream resyncs.
                        (!after.iter().any(|event| event.change.is_none())).then_some(after)
                    }
                    _ => None,
                }
            }
        };
        LiveSubscription {
            receiver,
            last_seq: recent.last_seq,
            missed,
        }
    }

    /// An event's id on the stream.
    pub fn live_event_id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.live.epoch)
    }

    /// Caps on open streams (`--live-streams`, `--live-streams-per-address`).
    pub fn limit_live_streams(&self, most: usize, most_per_address: usize) {
        if let Ok(mut open) = self.live.open.lock() {
            open.most = most;
            open.most_per_address = most_per_address;
        }
    }

    /// A place for one more stream from `address`, unless a cap is reached.
    pub fn open_live_stream(&self, address: &str) -> Result<StreamSlot, StreamsFull> {
        let mut open = self.live.open.lock().map_err(|_| StreamsFull::Service)?;
        if open.total >= open.most {
            return Err(StreamsFull::Service);
        }
        let most_per_address = open.most_per_address;
        let count = open.by_address.entry(address.to_owned()).or_default();
        if *count >= most_per_address {
            return Err(StreamsFull::Address);
        }
        *count += 1;
        open.total += 1;
        Ok(StreamSlot {
            hub: self.live.clone(),
            address: address.to_owned(),
        })
    }

    /// How many streams are open (for the benchmark and the tests).
    pub fn live_streams(&self) -> usize {
        self.live.open.lock().map_or(0, |open| open.total)
    }

    /// Ends every stream (the service is stopping: its connections must close).
    pub fn end_live_streams(&self) {
        self.live.ended.cancel();
    }

    /// Done when the streams are to end.
    pub fn live_ended(&self) -> tokio_util::sync::WaitForCancellationFutureOwned {
        self.live.ended.clone().cancelled_owned()
    }
}
