//! Where an object URL points: its scheme, its bucket, and a key or prefix in it.

use crate::Error;

/// The kinds of store a URL can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// `s3://` or `s3a://` (Hadoop's name for the same): AWS S3, MinIO, any S3-compatible
    /// store.
    S3,
    /// `oss://`: Aliyun OSS through its S3-compatible API (virtual-hosted requests only).
    Oss,
    /// `hdfs://namenode:port` or `hdfs://nameservice` (from the Hadoop configuration), or
    /// `hdfs:///` for the configuration's default file system.
    Hdfs,
    /// `viewfs://cluster`: a federated namespace of mount points, from the configuration.
    ViewFs,
}

impl Scheme {
    /// The scheme as written in URLs hegui reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::S3 => "s3",
            Scheme::Oss => "oss",
            Scheme::Hdfs => "hdfs",
            Scheme::ViewFs => "viewfs",
        }
    }

    pub(crate) fn of(s: &str) -> Option<Scheme> {
        match s.to_ascii_lowercase().as_str() {
            "s3" | "s3a" => Some(Scheme::S3),
            "oss" => Some(Scheme::Oss),
            "hdfs" => Some(Scheme::Hdfs),
            "viewfs" => Some(Scheme::ViewFs),
            _ => None,
        }
    }
}

/// A parsed object URL: `s3://bucket/some/prefix`, `hdfs://namenode:8020/warehouse`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub scheme: Scheme,
    /// The bucket; for HDFS the authority (`namenode:8020`, a nameservice, or empty for
    /// the default file system).
    pub bucket: String,
    /// The key or prefix, without a leading or trailing `/` (empty: the whole bucket).
    pub key: String,
}

impl Location {
    pub fn parse(url: &str) -> Result<Location, Error> {
        let bad = |why: &str| Error::Url(why.to_string());
        let (scheme, rest) = url
            .split_once("://")
            .ok_or_else(|| bad("expected scheme://bucket/prefix"))?;
        let scheme = Scheme::of(scheme)
            .ok_or_else(|| bad("the scheme is not s3, s3a, oss, hdfs or viewfs"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        match scheme {
            Scheme::S3 | Scheme::Oss if !valid_bucket(bucket) => {
                return Err(bad(
                    "a bucket name is 3 to 63 lower-case letters, digits, dots and hyphens",
                ))
            }
            Scheme::Hdfs | Scheme::ViewFs if !valid_authority(bucket) => {
                return Err(bad(
                    "expected hdfs://namenode:port/path or hdfs://nameservice/path",
                ))
            }
            _ => {}
        }
        let key = key.trim_matches('/');
        if key.split('/').any(|part| part == "." || part == "..") || key.contains("//") {
            return Err(bad("a key has no empty, `.` or `..` parts"));
        }
        Ok(Location {
            scheme,
            bucket: bucket.to_string(),
            key: key.to_string(),
        })
    }

    /// The URL of `key` in this location's bucket.
    pub fn url_of(&self, key: &str) -> String {
        format!("{}://{}/{}", self.scheme.as_str(), self.bucket, key)
    }
}

/// A host with an optional port, or a nameservice id; empty for the default file system.
fn valid_authority(a: &str) -> bool {
    let (host, port) = a.rsplit_once(':').unwrap_or((a, ""));
    host.bytes()
        .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-' || c == b'_')
        && (port.is_empty() || port.parse::<u16>().is_ok())
        // A port needs a host.
        && (port.is_empty() || !host.is_empty())
}

/// S3's and OSS's bucket naming rules, which also keep the name safe to put into a host
/// name for virtual-hosted requests.
fn valid_bucket(b: &str) -> bool {
    (3..=63).contains(&b.len())
        && b.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'.' || c == b'-')
        && b.as_bytes()[0].is_ascii_alphanumeric()
        && b.as_bytes()[b.len() - 1].is_ascii_alphanumeric()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_buckets_and_prefixes() {
        let l = Location::parse("s3://lake-01/ods/users/").unwrap();
        assert_eq!((l.scheme, l.bucket.as_str()), (Scheme::S3, "lake-01"));
        assert_eq!(l.key, "ods/users");
        assert_eq!(l.url_of("ods/users/a.csv"), "s3://lake-01/ods/users/a.csv");
        let l = Location::parse("S3A://lake").unwrap();
        assert_eq!((l.scheme, l.key.as_str()), (Scheme::S3, ""));
        let l = Location::parse("oss://hz-bucket/x.parquet").unwrap();
        assert_eq!((l.scheme, l.key.as_str()), (Scheme::Oss, "x.parquet"));
        let l = Location::parse("hdfs://nn1.corp:8020/user/hive/warehouse/").unwrap();
        assert_eq!(l.bucket, "nn1.corp:8020");
        assert_eq!(l.url_of("user/a.csv"), "hdfs://nn1.corp:8020/user/a.csv");
        let l = Location::parse("hdfs:///warehouse").unwrap();
        assert_eq!((l.bucket.as_str(), l.key.as_str()), ("", "warehouse"));
        assert_eq!(l.url_of("warehouse/x"), "hdfs:///warehouse/x");
        let l = Location::parse("viewfs://cluster/ods").unwrap();
        assert_eq!((l.scheme, l.bucket.as_str()), (Scheme::ViewFs, "cluster"));
    }

    #[test]
    fn refuses_what_is_not_a_bucket_url() {
        for u in [
            "s3:/b",
            "gs://bucket/x",
            "s3://B/x",
            "s3://ab/x",
            "s3://-ab/x",
            "s3://evil.com:80@x/",
            "s3://bucket/a/../b",
            "s3://bucket/a//b",
            "hdfs://nn:port/x",
            "hdfs://user@nn:8020/x",
            "hdfs://:8020/x",
        ] {
            assert!(Location::parse(u).is_err(), "{u}");
        }
    }
}
