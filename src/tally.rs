//! Weights summed per document, in a small open-addressing table.
//!
//! Scan's candidate counting (for each document, the documents sharing its buckets) and the
//! crawler's index query (the documents its keys meet) both add up, per document met, the
//! weights of the keys it shares: a few hundred to a few thousand documents out of a corpus of
//! millions. A table of the documents met stays in the fastest caches, where an array with a
//! slot for every document does not, and draining it in the order the documents were first met
//! replaces sorting the entries to bring each document's together.
//!
//! # Invariants
//! - A document's weights are summed in the order they are added, so the sums (floating-point)
//!   depend only on that order, not on the table's size or growth.
//! - [`Table::drain`] hands out each document once, in the order it was first added, and leaves
//!   the table empty (its slots kept).

use std::ops::AddAssign;

/// See the module docs. Documents are `u32` below `u32::MAX`.
pub(crate) struct Table<W> {
    /// Document + 1, 0 where empty.
    docs: Vec<u32>,
    weights: Vec<W>,
    /// Slots in use, in the order they were taken.
    used: Vec<u32>,
}

impl<W: Copy + Default + AddAssign> Table<W> {
    /// A table of `n` slots to begin with (a power of two); it doubles when half full.
    pub(crate) fn with_slots(n: usize) -> Table<W> {
        assert!(n.is_power_of_two());
        Table {
            docs: vec![0; n],
            weights: vec![W::default(); n],
            used: Vec::new(),
        }
    }

    /// Slots it has.
    pub(crate) fn slots(&self) -> usize {
        self.docs.len()
    }

    /// Adds `w` to document `d`'s sum.
    #[inline]
    pub(crate) fn add(&mut self, d: u32, w: W) {
        let mask = self.docs.len() - 1;
        let mut i = (d.wrapping_mul(0x9E37_79B1) as usize) & mask;
        loop {
            let k = self.docs[i];
            if k == d + 1 {
                self.weights[i] += w;
                return;
            }
            if k == 0 {
                self.docs[i] = d + 1;
                self.weights[i] = w;
                self.used.push(i as u32);
                if 2 * self.used.len() > self.docs.len() {
                    self.grow();
                }
                return;
            }
            i = (i + 1) & mask;
        }
    }

    /// Twice the slots, the sums moved over in the order they were first taken.
    fn grow(&mut self) {
        let old = std::mem::replace(self, Table::with_slots(2 * self.docs.len()));
        for &i in &old.used {
            // A fresh table: the first addition sets the sum itself.
            self.add(old.docs[i as usize] - 1, old.weights[i as usize]);
        }
    }

    /// Hands every document and its sum to `f`, in the order the documents were first added,
    /// and empties the table.
    pub(crate) fn drain(&mut self, mut f: impl FnMut(u32, W)) {
        for &i in &self.used {
            let i = i as usize;
            f(self.docs[i] - 1, self.weights[i]);
            self.docs[i] = 0;
        }
        self.used.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_each_documents_weights_in_the_order_added() {
        // Far more documents than the table's first slots (it grows), twice over: a drained
        // table starts empty.
        let mut table = Table::<f32>::with_slots(8);
        let mut x = 0x9E37_79B9u32;
        for round in 0..2 {
            let mut want: Vec<(u32, f32)> = Vec::new();
            for _ in 0..20_000 {
                crate::testing::xorshift32(&mut x);
                let (d, w) = (x % 5_000 + round, 1.0 / f32::from((x >> 20) as u16 % 7 + 1));
                match want.iter_mut().find(|e| e.0 == d) {
                    Some(e) => e.1 += w,
                    None => want.push((d, w)),
                }
                table.add(d, w);
            }
            let mut got = Vec::new();
            table.drain(|d, w| got.push((d, w)));
            // The same sums, bit for bit (added in the same order), in the order first met.
            assert_eq!(got, want);
        }
        assert!(table.slots() >= 8192);
    }
}
