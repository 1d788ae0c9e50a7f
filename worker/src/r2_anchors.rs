//! The worker's `AnchorStore`: the `ANCHORS` R2 bucket, outside D1 (R2 runs locally in
//! `wrangler dev` too).

use std::rc::Rc;

use worker::Bucket;

use crate::app::anchors::{AnchorFuture, AnchorStore};

pub struct R2Anchors {
    bucket: Rc<Bucket>,
}

impl R2Anchors {
    pub fn new(bucket: Bucket) -> R2Anchors {
        R2Anchors { bucket: Rc::new(bucket) }
    }
}

impl AnchorStore for R2Anchors {
    fn put(&self, key: String, body: String) -> AnchorFuture<()> {
        let bucket = Rc::clone(&self.bucket);
        Box::pin(async move { bucket.put(key, body).execute().await.map(drop).map_err(|e| e.to_string()) })
    }

    fn get(&self, key: String) -> AnchorFuture<Option<String>> {
        let bucket = Rc::clone(&self.bucket);
        Box::pin(async move {
            let Some(object) = bucket.get(key).execute().await.map_err(|e| e.to_string())? else {
                return Ok(None);
            };
            let Some(body) = object.body() else { return Ok(None) };
            body.text().await.map(Some).map_err(|e| e.to_string())
        })
    }
}
