//! Statistical tests of the MinHash estimator: unbiased, and as precise as theory says.
//!
//! For sets of Jaccard similarity J, an unbiased estimator built from k agreeing-or-not positions
//! has variance about J(1 − J)/k (exactly so for classic MinHash; one-permutation hashing with
//! optimal densification is within a small factor of it, Shrivastava 2017). The tests draw random
//! set pairs of known J and check the estimates against that, with fixed seeds so they are
//! deterministic. Broken densification (copying a fixed neighbour, or leaving bins empty) makes
//! small sets biased, and the per-pair test across seeds catches it.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reprint::minhash::MinHasher;

/// Two sets with `common` shared elements and `only_a`, `only_b` private ones.
fn pair(rng: &mut StdRng, common: usize, only_a: usize, only_b: usize) -> (Vec<u64>, Vec<u64>) {
    let shared: Vec<u64> = (0..common).map(|_| rng.gen()).collect();
    let mut a = shared.clone();
    let mut b = shared;
    a.extend((0..only_a).map(|_| rng.gen::<u64>()));
    b.extend((0..only_b).map(|_| rng.gen::<u64>()));
    (a, b)
}

#[test]
fn estimates_stay_within_their_statistical_bound() {
    const K: usize = 128;
    let mut rng = StdRng::seed_from_u64(20221107);
    let mut errors = Vec::new();
    let mut outside = 0;
    let mut sum_var = 0.0;
    for n in 0..600 {
        // Sizes from 5 to 5,000 elements: small sets leave most bins empty (densification does
        // the work), large ones fill every bin.
        let size = [5usize, 12, 40, 150, 600, 5000][n % 6];
        let j_target: f64 = rng.gen_range(0.0..=1.0);
        // |A ∪ B| = size; |A ∩ B| = round(J · size); the rest split between the two sides.
        let common = (j_target * size as f64).round() as usize;
        let rest = size - common;
        let only_a = rest / 2;
        let (a, b) = pair(&mut rng, common, only_a, rest - only_a);
        let j = common as f64 / size as f64;
        let h = MinHasher::new(K, rng.gen()).unwrap();
        let est = h.sketch(&a).jaccard(&h.sketch(&b)).unwrap();
        let var = j * (1.0 - j) / K as f64;
        sum_var += var;
        let err = est - j;
        errors.push(err);
        // 4 standard deviations, plus one position's worth of rounding.
        if err.abs() > 4.0 * var.sqrt() + 1.0 / K as f64 {
            outside += 1;
        }
    }
    let n = errors.len() as f64;
    let mean = errors.iter().sum::<f64>() / n;
    // Standard error of the mean error; 2x slack for densification's extra variance.
    let se = (sum_var / n / n).sqrt() * 2.0;
    assert!(
        mean.abs() < 3.0 * se,
        "mean error {mean:.5} vs 3·SE {:.5}",
        3.0 * se
    );
    assert!(outside <= 3, "{outside} of 600 estimates outside 4 sigma");
}

#[test]
fn small_sets_are_unbiased_across_seeds() {
    // For a fixed pair of small sets, the average over many seeds converges to J. Small sets are
    // where densification decides everything: 6 elements in 128 bins.
    let mut rng = StdRng::seed_from_u64(7);
    for (common, only_a, only_b) in [(2usize, 2usize, 2usize), (1, 0, 3), (5, 1, 0), (3, 10, 10)] {
        let (a, b) = pair(&mut rng, common, only_a, only_b);
        let j = common as f64 / (common + only_a + only_b) as f64;
        let seeds = 2000;
        let mean = (0..seeds)
            .map(|s| {
                let h = MinHasher::new(128, s).unwrap();
                h.sketch(&a).jaccard(&h.sketch(&b)).unwrap()
            })
            .sum::<f64>()
            / seeds as f64;
        // Estimates across seeds vary at most like J(1-J) per position: SE of the mean over
        // seeds is below sqrt(J(1-J)/seeds).
        let se = (j * (1.0 - j) / seeds as f64).sqrt();
        assert!(
            (mean - j).abs() < 4.0 * se + 1e-9,
            "J = {j:.3}: mean estimate {mean:.4} (4·SE {:.4})",
            4.0 * se
        );
    }
}
