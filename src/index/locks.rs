//! The index's locks, shared by all its shards: each method takes one and unwraps it the same
//! way.
//!
//! # Invariants
//! - A panic while one of these locks is held cannot leave what it guards inconsistent (every
//!   mutation under them is a single push, insert, remove or swap), so a poisoned lock is used
//!   as is: one panicking caller must not make the index unusable for every other thread.

use std::sync::{Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A shared lock on `l`, poisoned or not.
pub(super) fn read<T>(l: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    l.read().unwrap_or_else(|e| e.into_inner())
}

/// An exclusive lock on `l`, poisoned or not.
pub(super) fn write<T>(l: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    l.write().unwrap_or_else(|e| e.into_inner())
}

/// `l` locked, poisoned or not.
pub(super) fn lock<T>(l: &Mutex<T>) -> MutexGuard<'_, T> {
    l.lock().unwrap_or_else(|e| e.into_inner())
}
