//! hegui-core: the law as data, and the computations that stand directly on it.
pub mod calendar;
