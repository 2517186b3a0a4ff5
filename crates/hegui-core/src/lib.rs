//! hegui-core: the law as data, and the computations that stand directly on it.
//!
//! - [`law`]: the Guideline (111 checkpoints), the Measures (20 articles), the PI taxonomy,
//!   the instruments cited, thresholds and deadlines — all from embedded data files.
//! - [`calendar`]: the State Council working-day calendar; unknown years fail closed.
//! - [`condition`]: the applicability language the law data is written in.
//! - [`inventory`]: the processor's profile, its JSON Schema and validation with positions.
//! - [`facts`]: the named facts a profile gives to conditions.
//! - [`obligations`]: what applies to the processor, when it is due, and why.
//! - [`scope`]: which checkpoints an audit of the processor covers, and why others do not.
//! - [`sampling`]: attribute-sampling sizes and reproducible, seeded sample selection.
//! - [`messages`]: the sentences obligations are explained with (`locale/messages.toml`).
//! - [`text`]: text in Chinese and English, for reasons written from the law data.
//! - [`rng`]: the seeded generator (SplitMix64) behind every reproducible choice.
//!
//! The crate does no I/O: callers hand it text and dates.
pub mod calendar;
pub mod condition;
pub mod facts;
pub mod inventory;
pub mod law;
pub mod messages;
pub mod obligations;
pub mod rng;
pub mod sampling;
pub mod scope;
pub mod text;
