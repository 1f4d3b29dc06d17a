//! The write-ahead log: segment files of checksummed frames, each frame one commit.

pub mod active;
pub mod frame;
pub mod log;
pub mod reader;
pub mod segment;
