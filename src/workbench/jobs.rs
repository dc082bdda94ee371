//! Background jobs: work off the window's thread (opening a case, applying commands, importing,
//! finding, exporting, reviewing, training), each a named thread computing one result, with
//! progress it reports on the way and a cancel flag it checks. The window polls its jobs once a
//! frame and never blocks on one; tests wait for them.
//!
//! A job that ends without a result (its work panicked) is reported as [`Poll::Lost`], so the
//! window says so instead of waiting forever.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError, channel};
use std::time::Duration;

/// What a job sends back.
enum Message<T, P> {
    Progress(P),
    Done(T),
}

/// What a job's work holds: where to report progress and whether it was cancelled.
pub struct JobContext<P> {
    report: Box<dyn Fn(P) + Send>,
    cancel: Arc<AtomicBool>,
}

impl<P> JobContext<P> {
    /// Reports progress to the window (dropped if the window has stopped listening).
    pub fn report(&self, progress: P) {
        (self.report)(progress);
    }

    /// Whether the job was cancelled: the work stops at its next safe point.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// The cancel flag itself, for code that checks it deeper down (the exporter).
    #[must_use]
    pub fn cancel_flag(&self) -> Arc<AtomicBool> {
        self.cancel.clone()
    }
}

/// How a job stands when polled.
#[derive(Debug, PartialEq, Eq)]
pub enum Poll<T> {
    /// Still running.
    Running,
    /// Finished with this result.
    Done(T),
    /// Ended without a result: its work panicked.
    Lost,
}

/// A job running on a thread of its own, computing a `T` and reporting `P`s on the way.
pub struct Job<T, P = ()> {
    name: String,
    rx: Receiver<Message<T, P>>,
    cancel: Arc<AtomicBool>,
}

impl<T, P> std::fmt::Debug for Job<T, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").field("name", &self.name).field("cancelled", &self.is_cancelled()).finish()
    }
}

impl<T: Send + 'static, P: Send + 'static> Job<T, P> {
    /// Starts `work` on a thread named `name`.
    ///
    /// # Errors
    /// The thread could not be started (the system is out of threads or memory).
    pub fn spawn(name: &str, work: impl FnOnce(&JobContext<P>) -> T + Send + 'static) -> Result<Self, std::io::Error> {
        Self::spawn_with_cancel(name, Arc::new(AtomicBool::new(false)), work)
    }

    /// [`spawn`](Self::spawn) with a cancel flag the caller shares with code below the job
    /// (an import's [`crate::ledger::ImportControl`]), so cancelling the job stops that code.
    ///
    /// # Errors
    /// The thread could not be started.
    pub fn spawn_with_cancel(
        name: &str,
        cancel: Arc<AtomicBool>,
        work: impl FnOnce(&JobContext<P>) -> T + Send + 'static,
    ) -> Result<Self, std::io::Error> {
        let (tx, rx) = channel::<Message<T, P>>();
        let progress_tx: Sender<Message<T, P>> = tx.clone();
        let context = JobContext {
            report: Box::new(move |p| {
                let _ = progress_tx.send(Message::Progress(p));
            }),
            cancel: cancel.clone(),
        };
        std::thread::Builder::new().name(name.to_owned()).spawn(move || {
            let result = work(&context);
            let _ = tx.send(Message::Done(result));
        })?;
        Ok(Job { name: name.to_owned(), rx, cancel })
    }
}

impl<T, P> Job<T, P> {
    /// The thread's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Asks the work to stop at its next safe point; its result (often "cancelled") still comes.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Whether [`cancel`](Self::cancel) was called.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Hands every progress report that arrived to `on_progress`, then says how the job stands.
    /// Never blocks.
    pub fn poll(&self, mut on_progress: impl FnMut(P)) -> Poll<T> {
        loop {
            match self.rx.try_recv() {
                Ok(Message::Progress(p)) => on_progress(p),
                Ok(Message::Done(t)) => return Poll::Done(t),
                Err(TryRecvError::Empty) => return Poll::Running,
                Err(TryRecvError::Disconnected) => return Poll::Lost,
            }
        }
    }

    /// Waits for the job to end, handing progress to `on_progress` as it comes: `None` when it
    /// ended without a result. Tests and a window closing use it.
    pub fn wait(&self, mut on_progress: impl FnMut(P)) -> Option<T> {
        loop {
            match self.rx.recv() {
                Ok(Message::Progress(p)) => on_progress(p),
                Ok(Message::Done(t)) => return Some(t),
                Err(_) => return None,
            }
        }
    }

    /// [`wait`](Self::wait) for at most `timeout`: [`Poll::Running`] when it is not over by then.
    pub fn wait_for(&self, timeout: Duration, mut on_progress: impl FnMut(P)) -> Poll<T> {
        let deadline = std::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(Message::Progress(p)) => on_progress(p),
                Ok(Message::Done(t)) => return Poll::Done(t),
                Err(RecvTimeoutError::Timeout) => return Poll::Running,
                Err(RecvTimeoutError::Disconnected) => return Poll::Lost,
            }
        }
    }
}

/// A window's analysis: at most one job running, and the result of the last one kept to show.
pub struct Latest<T> {
    running: Option<Job<Result<T, String>>>,
    result: Option<Result<T, String>>,
}

impl<T> Default for Latest<T> {
    fn default() -> Self {
        Latest { running: None, result: None }
    }
}

impl<T: Send + 'static> Latest<T> {
    /// Starts `work` on a thread named `name`; the last result is dropped.
    ///
    /// # Errors
    /// The thread could not be started.
    pub fn start(
        &mut self,
        name: &str,
        work: impl FnOnce(&JobContext<()>) -> Result<T, String> + Send + 'static,
    ) -> Result<(), std::io::Error> {
        self.running = Some(Job::spawn(name, work)?);
        self.result = None;
        Ok(())
    }
}

impl<T> Latest<T> {
    /// Whether a job is running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.running.is_some()
    }

    /// The last result, once it arrived.
    #[must_use]
    pub fn result(&self) -> Option<&Result<T, String>> {
        self.result.as_ref()
    }

    /// Drops the result and any running job (another case was opened).
    pub fn forget(&mut self) {
        self.running = None;
        self.result = None;
    }

    /// Keeps the job's result when it has arrived (`lost` when the work ended without one) and
    /// returns it on that call only, so the caller says once how it ended. Never blocks.
    pub fn poll(&mut self, lost: &str) -> Option<&Result<T, String>> {
        let job = self.running.as_ref()?;
        let result = match job.poll(|()| {}) {
            Poll::Running => return None,
            Poll::Done(r) => r,
            Poll::Lost => Err(lost.to_owned()),
        };
        self.running = None;
        self.result = Some(result);
        self.result.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reports_progress_then_its_result() {
        let job = Job::spawn("test-job", |cx: &JobContext<u32>| {
            for i in 1..=3 {
                cx.report(i);
            }
            "done"
        })
        .expect("spawn");
        let mut seen = Vec::new();
        assert_eq!(job.wait(|p| seen.push(p)), Some("done"));
        assert_eq!(seen, vec![1, 2, 3]);
        assert_eq!(job.name(), "test-job");
    }

    #[test]
    fn a_cancelled_job_sees_the_flag_and_still_answers() {
        let (go_tx, go_rx) = channel::<()>();
        let job = Job::spawn("test-cancel", move |cx: &JobContext<()>| {
            let _ = go_rx.recv();
            cx.is_cancelled()
        })
        .expect("spawn");
        assert_eq!(job.poll(|()| {}), Poll::Running);
        job.cancel();
        assert!(job.is_cancelled());
        let _ = go_tx.send(());
        assert_eq!(job.wait(|()| {}), Some(true));
    }

    #[test]
    fn a_shared_cancel_flag_is_the_jobs_own() {
        let flag = Arc::new(AtomicBool::new(false));
        let (go_tx, go_rx) = channel::<()>();
        let below = flag.clone();
        let job = Job::spawn_with_cancel("test-shared", flag, move |_: &JobContext<()>| {
            let _ = go_rx.recv();
            below.load(Ordering::Relaxed)
        })
        .expect("spawn");
        job.cancel();
        let _ = go_tx.send(());
        assert_eq!(job.wait(|()| {}), Some(true), "the code below the job saw the cancel");
    }

    #[test]
    fn the_latest_result_is_kept_and_announced_once() {
        let mut latest = Latest::<u32>::default();
        latest.start("test-latest", |_| Ok(7)).expect("spawn");
        assert!(latest.is_running());
        let start = std::time::Instant::now();
        let mut arrived = None;
        while arrived.is_none() && start.elapsed() < Duration::from_secs(30) {
            arrived = latest.poll("lost").cloned();
        }
        assert_eq!(arrived, Some(Ok(7)));
        assert_eq!(latest.poll("lost"), None, "announced once");
        assert_eq!(latest.result(), Some(&Ok(7)));
        latest.forget();
        assert_eq!(latest.result(), None);
    }

    #[test]
    fn a_job_whose_work_panics_is_lost_not_waited_for() {
        let job: Job<u32> = Job::spawn("test-panic", |_: &JobContext<()>| panic!("boom")).expect("spawn");
        assert_eq!(job.wait_for(Duration::from_secs(30), |()| {}), Poll::Lost);
        assert_eq!(job.poll(|()| {}), Poll::Lost);
    }
}
