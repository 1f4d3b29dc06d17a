//! Operations on a data directory while no engine has it open: trim the WAL, restore to a point
//! in time, verify and repair, and read-only dumps (which also work while a server runs).

pub mod dump;
pub mod restore;
pub mod snapshot;
pub mod trim;
pub mod verify;
