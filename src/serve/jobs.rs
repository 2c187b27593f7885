//! Background jobs (imports): each runs on a thread of its own and is
//! polled at `/v1/jobs/{id}`; the server waits for running jobs when it
//! shuts down, so an import is never cut between two of its batches.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use super::state::lock;

/// Finished jobs kept for polling.
const KEEP_FINISHED: usize = 200;

/// What a job reports.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct JobStatus {
    /// Its id.
    pub id: u64,
    /// What it does (`import`).
    pub kind: String,
    /// The memory it works on.
    pub tm: String,
    /// `running`, `done` or `failed`.
    pub state: String,
    /// Units read so far.
    pub units_read: u64,
    /// Bytes received (the upload's size).
    pub bytes: u64,
    /// When done: what was added.
    pub result: Option<ImportResult>,
    /// When failed: why.
    pub error: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    /// Units added.
    pub added: u64,
    /// Exact duplicates skipped.
    pub duplicates: u64,
    /// Units whose source was stored with other targets.
    pub conflicts: u64,
    /// Units replaced by incoming ones.
    pub replaced: u64,
    /// What of an uploaded TMX file the store does not hold (text where TMX
    /// allows only elements, an external entity never fetched), each as
    /// `upload:LINE:COLUMN: what`; empty when nothing was lost.
    pub lost: Vec<String>,
}

/// One job: its status and progress counter.
pub struct Job {
    id: u64,
    status: Mutex<JobStatus>,
    read: AtomicU64,
}

impl Job {
    /// Its id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Records progress (units read).
    pub fn progress(&self, units: u64) {
        self.read.store(units, Ordering::Relaxed);
    }

    /// Ends the job.
    pub fn finish(&self, outcome: Result<ImportResult, String>) {
        let mut s = lock(&self.status);
        match outcome {
            Ok(r) => {
                s.state = "done".into();
                s.result = Some(r);
            }
            Err(e) => {
                s.state = "failed".into();
                s.error = Some(e);
            }
        }
    }

    /// Its status now.
    pub fn status(&self) -> JobStatus {
        let mut s = lock(&self.status).clone();
        s.units_read = self.read.load(Ordering::Relaxed);
        s
    }
}

/// The server's jobs.
#[derive(Clone, Default)]
pub struct Jobs {
    inner: Arc<Mutex<JobsInner>>,
}

#[derive(Default)]
struct JobsInner {
    next: u64,
    jobs: BTreeMap<u64, Arc<Job>>,
    threads: Vec<JoinHandle<()>>,
}

impl Jobs {
    /// Starts `work` on a thread as a new job of `kind` on memory `tm`.
    pub fn start(
        &self,
        kind: &str,
        tm: &str,
        bytes: u64,
        work: impl FnOnce(&Job) -> Result<ImportResult, String> + Send + 'static,
    ) -> std::io::Result<u64> {
        let mut inner = lock(&self.inner);
        inner.next += 1;
        let id = inner.next;
        let job = Arc::new(Job {
            id,
            status: Mutex::new(JobStatus {
                id,
                kind: kind.into(),
                tm: tm.into(),
                state: "running".into(),
                units_read: 0,
                bytes,
                result: None,
                error: None,
            }),
            read: AtomicU64::new(0),
        });
        let running = job.clone();
        let handle = std::thread::Builder::new()
            .name(format!("tmkit-job-{id}"))
            .spawn(move || {
                let outcome = work(&running);
                running.finish(outcome);
            })?;
        inner.jobs.insert(id, job);
        inner.threads.retain(|t| !t.is_finished());
        inner.threads.push(handle);
        // Forget the oldest finished jobs beyond the limit.
        while inner.jobs.len() > KEEP_FINISHED {
            let oldest = inner
                .jobs
                .iter()
                .find(|(_, j)| lock(&j.status).state != "running")
                .map(|(k, _)| *k);
            match oldest {
                Some(k) => inner.jobs.remove(&k),
                None => break,
            };
        }
        Ok(id)
    }

    /// The status of job `id`.
    pub fn get(&self, id: u64) -> Option<JobStatus> {
        lock(&self.inner).jobs.get(&id).map(|j| j.status())
    }

    /// Waits for every running job to end.
    pub fn wait_all(&self) {
        let threads = std::mem::take(&mut lock(&self.inner).threads);
        for t in threads {
            let _ = t.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_reports_progress_then_its_result() {
        let jobs = Jobs::default();
        let id = jobs
            .start("import", "default", 10, |job| {
                job.progress(7);
                Ok(ImportResult {
                    added: 7,
                    duplicates: 0,
                    conflicts: 0,
                    replaced: 0,
                    lost: Vec::new(),
                })
            })
            .unwrap();
        jobs.wait_all();
        let s = jobs.get(id).unwrap();
        assert_eq!((s.state.as_str(), s.units_read), ("done", 7));
        assert_eq!(s.result.unwrap().added, 7);
        let failing = jobs
            .start("import", "default", 0, |_| Err("bad".into()))
            .unwrap();
        jobs.wait_all();
        assert_eq!(jobs.get(failing).unwrap().error.as_deref(), Some("bad"));
        assert!(jobs.get(999).is_none());
    }
}
