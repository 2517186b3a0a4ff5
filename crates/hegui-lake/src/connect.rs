//! How a bucket is reached: endpoint, region, request style and credentials, from the
//! command line's [`Settings`] and the environment (never from arguments for secrets:
//! they would show in the process list).

use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
use object_store::ObjectStore;

use crate::location::{Location, Scheme};
use crate::Error;

/// What the user set on the command line; everything else comes from the environment.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The service's URL: `http://127.0.0.1:9000` (MinIO), `https://oss-cn-hangzhou.aliyuncs.com`
    /// (OSS). Default for `s3://`: `AWS_ENDPOINT_URL`, else AWS itself; for `oss://`:
    /// `OSS_ENDPOINT`, else the region's public endpoint.
    pub endpoint: Option<String>,
    /// The region requests are signed for. Default for `s3://`: `AWS_REGION`, else
    /// `us-east-1`; for `oss://`: `OSS_REGION`, else read from the endpoint.
    pub region: Option<String>,
    /// Virtual-hosted requests (`https://bucket.endpoint/key`) rather than path-style
    /// (`https://endpoint/bucket/key`, MinIO's default). Always on for `oss://`, which
    /// accepts no other.
    pub virtual_hosted: bool,
    /// How long a request may go without any progress (no answer, no bytes) before it
    /// fails: an unreachable NameNode or a stalled download ends the scan or the object
    /// instead of hanging it.
    pub idle_timeout: std::time::Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            endpoint: None,
            region: None,
            virtual_hosted: false,
            idle_timeout: std::time::Duration::from_secs(60),
        }
    }
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The store serving `loc`'s bucket; HDFS clients run their I/O on `rt`.
pub(crate) fn store_for(
    loc: &Location,
    s: &Settings,
    rt: &tokio::runtime::Handle,
) -> Result<Arc<dyn ObjectStore>, Error> {
    let b = AmazonS3Builder::from_env().with_bucket_name(&loc.bucket);
    let b = match loc.scheme {
        Scheme::S3 => s3(b, loc, s)?,
        Scheme::Oss => oss(b, loc, s)?,
        Scheme::Hdfs | Scheme::ViewFs => return hdfs(loc, rt),
    };
    b.build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        .map_err(|e| Error::Config(e.to_string()))
}

fn s3(b: AmazonS3Builder, loc: &Location, s: &Settings) -> Result<AmazonS3Builder, Error> {
    let mut b = b.with_virtual_hosted_style_request(s.virtual_hosted);
    if let Some(r) = &s.region {
        b = b.with_region(r);
    }
    let endpoint = s
        .endpoint
        .clone()
        .or_else(|| env("AWS_ENDPOINT_URL"))
        .or_else(|| env("AWS_ENDPOINT"));
    if let Some(e) = endpoint {
        // Another vendor's store has no instance metadata to fetch keys from: say what to
        // set instead of timing out against AWS's metadata address.
        if env("AWS_ACCESS_KEY_ID").is_none() && env("AWS_SKIP_SIGNATURE").is_none() {
            return Err(Error::Config(
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_SKIP_SIGNATURE=true \
                 for a public bucket)"
                    .into(),
            ));
        }
        let e = check_endpoint(&e)?;
        b = b
            .with_allow_http(e.starts_with("http://"))
            .with_endpoint(if s.virtual_hosted {
                with_bucket(&e, &loc.bucket)
            } else {
                e
            });
    }
    Ok(b)
}

fn oss(b: AmazonS3Builder, loc: &Location, s: &Settings) -> Result<AmazonS3Builder, Error> {
    let region = s.region.clone().or_else(|| env("OSS_REGION"));
    let endpoint = s.endpoint.clone().or_else(|| env("OSS_ENDPOINT"));
    let (endpoint, region) = match (endpoint, region) {
        (Some(e), Some(r)) => (e, r),
        (Some(e), None) => {
            let r = oss_region(&e).ok_or_else(|| {
                Error::Config(format!(
                    "cannot tell the region from the endpoint {e}: give --region (cn-hangzhou, …)"
                ))
            })?;
            (e, r)
        }
        (None, Some(r)) => (format!("https://oss-{r}.aliyuncs.com"), r),
        (None, None) => return Err(Error::Config(
            "give --endpoint (https://oss-cn-hangzhou.aliyuncs.com) or --region (cn-hangzhou), \
                 or set OSS_ENDPOINT or OSS_REGION"
                .into(),
        )),
    };
    let e = check_endpoint(&endpoint)?;
    let mut b = b
        .with_region(region)
        .with_virtual_hosted_style_request(true)
        .with_allow_http(e.starts_with("http://"))
        .with_endpoint(with_bucket(&e, &loc.bucket));
    // OSS's own variable names first, then the AWS ones an S3 tool would use.
    match (env("OSS_ACCESS_KEY_ID"), env("OSS_ACCESS_KEY_SECRET")) {
        (Some(id), Some(secret)) => {
            b = b.with_access_key_id(id).with_secret_access_key(secret);
            if let Some(t) = env("OSS_SESSION_TOKEN") {
                b = b.with_token(t);
            }
        }
        _ if env("AWS_ACCESS_KEY_ID").is_some() => {}
        _ => {
            return Err(Error::Config(
                "set OSS_ACCESS_KEY_ID and OSS_ACCESS_KEY_SECRET (a RAM user's AccessKey)".into(),
            ))
        }
    }
    Ok(b)
}

/// An HDFS (or viewfs) namespace, configured from `HADOOP_CONF_DIR` (or
/// `$HADOOP_HOME/etc/hadoop`): core-site.xml and hdfs-site.xml name the nameservices, and
/// Kerberos is used when they say so (with the system's GSSAPI library and a ticket from
/// `kinit`); `HADOOP_USER_NAME` otherwise.
#[cfg(feature = "hdfs")]
fn hdfs(loc: &Location, rt: &tokio::runtime::Handle) -> Result<Arc<dyn ObjectStore>, Error> {
    let _in_rt = rt.enter();
    let mut b = hdfs_native_object_store::HdfsObjectStoreBuilder::new().with_io_runtime(rt.clone());
    if !loc.bucket.is_empty() {
        b = b.with_url(format!("{}://{}", loc.scheme.as_str(), loc.bucket));
    }
    b.build()
        .map(|s| Arc::new(s) as Arc<dyn ObjectStore>)
        .map_err(|e| {
            Error::Config(format!(
                "{e} (the Hadoop configuration is read from HADOOP_CONF_DIR, or \
                 HADOOP_HOME/etc/hadoop)"
            ))
        })
}

#[cfg(not(feature = "hdfs"))]
fn hdfs(_: &Location, _: &tokio::runtime::Handle) -> Result<Arc<dyn ObjectStore>, Error> {
    Err(Error::Config(
        "this hegui was built without HDFS (cargo feature `hdfs` of hegui-lake)".into(),
    ))
}

/// An endpoint is an http(s) URL of a host, nothing more.
fn check_endpoint(e: &str) -> Result<String, Error> {
    let e = e.trim().trim_end_matches('/');
    let host = e
        .strip_prefix("https://")
        .or_else(|| e.strip_prefix("http://"));
    match host {
        Some(h) if !h.is_empty() && !h.contains(['/', '@', '?', '#']) => Ok(e.to_string()),
        _ => Err(Error::Config(format!(
            "endpoint {e:?}: expected http(s)://host[:port]"
        ))),
    }
}

/// `https://host` → `https://bucket.host`: the bucket's own host for virtual-hosted requests.
fn with_bucket(endpoint: &str, bucket: &str) -> String {
    match endpoint.split_once("://") {
        Some((scheme, host)) => format!("{scheme}://{bucket}.{host}"),
        None => endpoint.to_string(),
    }
}

/// The region in an OSS endpoint: `https://oss-cn-hangzhou.aliyuncs.com`,
/// `https://s3.oss-cn-hangzhou.aliyuncs.com` and their `-internal` forms → `cn-hangzhou`.
fn oss_region(endpoint: &str) -> Option<String> {
    let host = endpoint.split_once("://").map_or(endpoint, |(_, h)| h);
    let host = host.split(':').next()?;
    let first = host
        .strip_suffix(".aliyuncs.com")?
        .trim_start_matches("s3.")
        .strip_prefix("oss-")?;
    let r = first.strip_suffix("-internal").unwrap_or(first);
    // The acceleration endpoints carry no region.
    (!r.is_empty() && !r.contains('.') && !r.starts_with("accelerate")).then(|| r.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oss_regions_from_endpoints() {
        for (e, r) in [
            ("https://oss-cn-hangzhou.aliyuncs.com", Some("cn-hangzhou")),
            (
                "https://s3.oss-cn-shanghai.aliyuncs.com",
                Some("cn-shanghai"),
            ),
            ("oss-cn-beijing-internal.aliyuncs.com", Some("cn-beijing")),
            ("https://oss-accelerate.aliyuncs.com", None),
            ("http://127.0.0.1:9000", None),
            ("https://minio.example.com", None),
        ] {
            assert_eq!(oss_region(e).as_deref(), r, "{e}");
        }
    }

    #[test]
    fn virtual_hosted_puts_the_bucket_in_the_host() {
        assert_eq!(
            with_bucket("https://oss-cn-hangzhou.aliyuncs.com", "lake"),
            "https://lake.oss-cn-hangzhou.aliyuncs.com"
        );
        assert!(check_endpoint("ftp://h").is_err());
        assert!(check_endpoint("https://u:p@h").is_err());
        assert!(check_endpoint("https://h/path").is_err());
        assert_eq!(
            check_endpoint("http://127.0.0.1:9000/").unwrap(),
            "http://127.0.0.1:9000"
        );
    }
}
