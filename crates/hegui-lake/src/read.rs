//! An object's bytes as a blocking [`Read`]: a task on the store's runtime pulls the
//! response body ahead of the scanner into a short queue, so the network and the scan
//! overlap while memory stays bounded (a few chunks of the body).

use std::io::Read;
use std::time::Duration;

use bytes::{Buf, Bytes};
use futures_util::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt};
use tokio::sync::mpsc;

/// Body chunks held ahead of the reader (reqwest's chunks are 8–64 KiB).
const AHEAD: usize = 32;

pub(crate) struct ObjectReader {
    rx: mpsc::Receiver<std::io::Result<Bytes>>,
    chunk: Bytes,
    done: bool,
}

impl ObjectReader {
    /// Starts reading `key` on `rt`; the request's failure (no such key, denied) is
    /// returned here, a failure later from [`Read::read`].
    pub(crate) fn open(
        rt: &tokio::runtime::Runtime,
        store: std::sync::Arc<dyn ObjectStore>,
        key: Path,
        idle: Duration,
    ) -> std::io::Result<ObjectReader> {
        let got = rt
            .block_on(async { tokio::time::timeout(idle, store.get(&key)).await })
            .map_err(|_| std::io::Error::from(std::io::ErrorKind::TimedOut))?
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        let (tx, rx) = mpsc::channel(AHEAD);
        let mut body = got.into_stream();
        rt.spawn(async move {
            loop {
                let next = match tokio::time::timeout(idle, body.next()).await {
                    Ok(Some(next)) => next.map_err(|e| std::io::Error::other(e.to_string())),
                    Ok(None) => break,
                    Err(_) => Err(std::io::Error::other(format!(
                        "the download stalled: no bytes for {} s",
                        idle.as_secs()
                    ))),
                };
                let failed = next.is_err();
                // The reader went away (the scan stopped reading): stop fetching.
                if tx.send(next).await.is_err() || failed {
                    break;
                }
            }
        });
        Ok(ObjectReader {
            rx,
            chunk: Bytes::new(),
            done: false,
        })
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            if self.done {
                return Ok(0);
            }
            match self.rx.blocking_recv() {
                Some(Ok(c)) => self.chunk = c,
                Some(Err(e)) => {
                    self.done = true;
                    return Err(e);
                }
                None => self.done = true,
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk[..n]);
        self.chunk.advance(n);
        Ok(n)
    }
}
