//! Group commit: one task owns the write connection and runs queued write jobs, each in its
//! own savepoint, inside one shared transaction per batch: many accesses, one fsync.
//! A job's result is released only after its batch has committed.

use crate::access_log::LogBuffer;
use crate::db::Backend;
use crate::error::StoreError;
use crate::keys::Keys;
use sqlx::{AnyConnection, Connection, Executor};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::{mpsc, oneshot};

pub(crate) type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A unit of work on the write connection. `run` reports success; `finish` hands the
/// result over once the batch's fate is known.
trait Job: Send {
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection, log: &'c mut LogBuffer) -> BoxFuture<'c, bool>;
    fn finish(self: Box<Self>, committed: bool);
    /// Log entries of a read already made: no SQL, so no savepoint is needed.
    fn log_only(&mut self) -> Option<LogBuffer> {
        None
    }
}

/// The log entries of a read, to be appended and committed before the data is released.
struct LogJob {
    entries: Option<LogBuffer>,
    reply: Option<oneshot::Sender<Result<(), StoreError>>>,
}

impl Job for LogJob {
    fn run<'c>(&'c mut self, _conn: &'c mut AnyConnection, log: &'c mut LogBuffer) -> BoxFuture<'c, bool> {
        if let Some(entries) = self.entries.take() {
            log.extend(entries);
        }
        Box::pin(async { true })
    }

    fn finish(mut self: Box<Self>, committed: bool) {
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(if committed { Ok(()) } else { Err(StoreError::NotCommitted) });
        }
    }

    fn log_only(&mut self) -> Option<LogBuffer> {
        self.entries.take()
    }
}

/// What a write job is: work on the write connection that may record log entries.
pub(crate) trait WriteWork<T>:
    for<'c> FnOnce(&'c mut AnyConnection, &'c mut LogBuffer) -> BoxFuture<'c, Result<T, StoreError>> + Send + 'static
{
}

impl<T, F> WriteWork<T> for F where
    F: for<'c> FnOnce(&'c mut AnyConnection, &'c mut LogBuffer) -> BoxFuture<'c, Result<T, StoreError>>
        + Send
        + 'static
{
}

struct TypedJob<T, F> {
    work: Option<F>,
    outcome: Option<Result<T, StoreError>>,
    reply: Option<oneshot::Sender<Result<T, StoreError>>>,
}

impl<T: Send + 'static, F: WriteWork<T>> Job for TypedJob<T, F> {
    fn run<'c>(&'c mut self, conn: &'c mut AnyConnection, log: &'c mut LogBuffer) -> BoxFuture<'c, bool> {
        Box::pin(async move {
            let Some(work) = self.work.take() else {
                return false;
            };
            let outcome = work(conn, log).await;
            let ok = outcome.is_ok();
            self.outcome = Some(outcome);
            ok
        })
    }

    fn finish(mut self: Box<Self>, committed: bool) {
        let outcome = match self.outcome.take() {
            Some(Ok(value)) if committed => Ok(value),
            Some(Err(error)) => Err(error),
            Some(Ok(_)) | None => Err(StoreError::NotCommitted),
        };
        if let Some(reply) = self.reply.take() {
            let _ = reply.send(outcome);
        }
    }
}

/// Counters for benchmarks and operators: how well commits are shared.
#[derive(Debug, Default)]
pub struct WriteStats {
    pub batches: AtomicU64,
    pub jobs: AtomicU64,
}

pub(crate) struct Writer {
    /// Taken on close, so the task drains the queue and stops.
    queue: std::sync::Mutex<Option<mpsc::Sender<Box<dyn Job>>>>,
    pub(crate) stats: Arc<WriteStats>,
}

const QUEUE_DEPTH: usize = 4096;

impl Writer {
    /// Starts the writer task on `conn`. `max_batch` 1 means one commit per job.
    pub(crate) fn start(
        conn: AnyConnection,
        backend: Backend,
        keys: Arc<Keys>,
        max_batch: usize,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (queue, jobs) = mpsc::channel(QUEUE_DEPTH);
        let stats = Arc::new(WriteStats::default());
        let handle = tokio::spawn(run(conn, backend, keys, jobs, max_batch.max(1), stats.clone()));
        (Self { queue: std::sync::Mutex::new(Some(queue)), stats }, handle)
    }

    pub(crate) async fn submit<T: Send + 'static>(&self, work: impl WriteWork<T>) -> Result<T, StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = TypedJob { work: Some(work), outcome: None, reply: Some(reply) };
        let queue = self.queue.lock().ok().and_then(|q| q.clone()).ok_or(StoreError::NotCommitted)?;
        queue.send(Box::new(job)).await.map_err(|_| StoreError::NotCommitted)?;
        answer.await.map_err(|_| StoreError::NotCommitted)?
    }

    /// Appends a read's log entries; returns once they are committed.
    pub(crate) async fn submit_log(&self, entries: LogBuffer) -> Result<(), StoreError> {
        let (reply, answer) = oneshot::channel();
        let job = LogJob { entries: Some(entries), reply: Some(reply) };
        let queue = self.queue.lock().ok().and_then(|q| q.clone()).ok_or(StoreError::NotCommitted)?;
        queue.send(Box::new(job)).await.map_err(|_| StoreError::NotCommitted)?;
        answer.await.map_err(|_| StoreError::NotCommitted)?
    }

    pub(crate) fn close(&self) {
        if let Ok(mut queue) = self.queue.lock() {
            queue.take();
        }
    }
}

async fn run(
    mut conn: AnyConnection,
    backend: Backend,
    keys: Arc<Keys>,
    mut jobs: mpsc::Receiver<Box<dyn Job>>,
    max_batch: usize,
    stats: Arc<WriteStats>,
) {
    // The writer's view of the chain's head, checked against the head row on every append.
    let mut head: Option<(i64, String)> = None;
    while let Some(first) = jobs.recv().await {
        let mut batch = vec![first];
        while batch.len() < max_batch {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let committed = run_batch(&mut conn, backend, &keys, &mut head, &mut batch).await;
        if !committed {
            // What the failed batch appended is gone: read the head afresh next time.
            head = None;
        }
        stats.batches.fetch_add(1, Ordering::Relaxed);
        stats.jobs.fetch_add(batch.len() as u64, Ordering::Relaxed);
        for job in batch {
            job.finish(committed);
        }
    }
    let _ = conn.close().await;
}

async fn run_batch(
    conn: &mut AnyConnection,
    backend: Backend,
    keys: &Keys,
    head: &mut Option<(i64, String)>,
    batch: &mut [Box<dyn Job>],
) -> bool {
    if let Err(error) = conn.execute(backend.begin_write()).await {
        tracing::error!(%error, "cannot begin a write batch");
        return false;
    }
    let mut log = LogBuffer::default();
    for job in batch.iter_mut() {
        if let Some(entries) = job.log_only() {
            log.extend(entries);
            continue;
        }
        let mark = log.len();
        let step = async {
            conn.execute("SAVEPOINT job").await?;
            if job.run(conn, &mut log).await {
                conn.execute("RELEASE job").await?;
            } else {
                // The job's own writes and log entries vanish; the rest of the batch goes on.
                conn.execute("ROLLBACK TO job").await?;
                conn.execute("RELEASE job").await?;
                log.truncate(mark);
            }
            Ok::<_, sqlx::Error>(())
        };
        if let Err(error) = step.await {
            tracing::error!(%error, "write batch aborted");
            let _ = conn.execute("ROLLBACK").await;
            return false;
        }
    }
    // The log entries of every access in the batch, then one commit: if the log cannot be
    // written, nothing of the batch is.
    if let Err(error) = log.flush(conn, keys, head).await {
        tracing::error!(code = error.code(), "access log append failed; write batch rolled back");
        let _ = conn.execute("ROLLBACK").await;
        return false;
    }
    match conn.execute("COMMIT").await {
        Ok(_) => true,
        Err(error) => {
            tracing::error!(%error, "write batch did not commit");
            let _ = conn.execute("ROLLBACK").await;
            false
        }
    }
}
