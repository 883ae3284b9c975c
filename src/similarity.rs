//! Jaro-Winkler similarity for did-you-mean suggestions.
//!
//! Same definition as the `strsim` crate (its tests compare the two), but
//! on slices: `strsim` decodes the second string again for every character
//! of the first, which made suggestions the largest cost of a lint run.

/// Jaro-Winkler similarity of two strings, in `0.0..=1.0`.
pub fn jaro_winkler(a: &str, b: &str) -> f64 {
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        let sim = if a.len() <= 64 && b.len() <= 64 {
            short_ascii_jaro(a, b)
        } else {
            jaro(a, b)
        };
        winkler(a, b, sim)
    } else {
        let a: Vec<char> = a.chars().collect();
        let b: Vec<char> = b.chars().collect();
        winkler(&a, &b, jaro(&a, &b))
    }
}

/// One string compared with many: a cheap upper bound of
/// [`jaro_winkler`] first, from the characters the two share whatever their
/// positions, skips candidates that cannot score high enough.
pub struct Query<'a> {
    text: &'a str,
    /// How often each ASCII character occurs; `None` for other text.
    counts: Option<[u16; 128]>,
}

impl<'a> Query<'a> {
    pub fn new(text: &'a str) -> Query<'a> {
        let counts = text.is_ascii().then(|| {
            let mut counts = [0u16; 128];
            for &c in text.as_bytes() {
                counts[usize::from(c)] = counts[usize::from(c)].saturating_add(1);
            }
            counts
        });
        Query { text, counts }
    }

    /// `jaro_winkler(query, other)` if it can exceed `floor`, else `None`.
    pub fn score_above(&self, other: &str, floor: f64) -> Option<f64> {
        let score = if self.bound(other) > floor {
            jaro_winkler(self.text, other)
        } else {
            return None;
        };
        (score > floor).then_some(score)
    }

    fn bound(&self, other: &str) -> f64 {
        let Some(counts) = self.counts.as_ref().filter(|_| other.is_ascii()) else {
            return 1.0;
        };
        let (a, b) = (self.text.as_bytes(), other.as_bytes());
        if let Some(sim) = empty_case(a.len(), b.len()) {
            return sim;
        }
        let mut left = *counts;
        let mut shared = 0;
        for &c in b {
            let count = &mut left[usize::from(c)];
            if *count > 0 {
                *count -= 1;
                shared += 1;
            }
        }
        if shared == 0 {
            return 0.0;
        }
        // No transpositions: the most the shared characters can score.
        winkler(a, b, score(shared, 0, a.len(), b.len()))
    }
}

/// The similarity when a string is empty: 1 for two empty strings, else 0.
fn empty_case(a_len: usize, b_len: usize) -> Option<f64> {
    (a_len == 0 || b_len == 0).then_some(if a_len == b_len { 1.0 } else { 0.0 })
}

/// Winkler's bonus for a common prefix of up to four characters.
fn winkler<T: PartialEq>(a: &[T], b: &[T], sim: f64) -> f64 {
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    sim + 0.1 * prefix as f64 * (1.0 - sim)
}

/// `jaro` for ASCII strings of at most 64 bytes: bit sets instead of
/// scanning each character's window.
fn short_ascii_jaro(a: &[u8], b: &[u8]) -> f64 {
    if let Some(sim) = empty_case(a.len(), b.len()) {
        return sim;
    }
    let mut positions = [0u64; 128];
    for (j, &c) in b.iter().enumerate() {
        positions[usize::from(c & 0x7f)] |= 1 << j;
    }
    let below = |n: usize| if n >= 64 { u64::MAX } else { (1u64 << n) - 1 };
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    let (mut a_matched, mut b_matched, mut matches) = (0u64, 0u64, 0usize);
    for (i, &c) in a.iter().enumerate() {
        let in_window = below((i + window + 1).min(b.len())) & !below(i.saturating_sub(window));
        let free = positions[usize::from(c & 0x7f)] & in_window & !b_matched;
        if free != 0 {
            b_matched |= free & free.wrapping_neg();
            a_matched |= 1 << i;
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let (mut a_left, mut b_left, mut transpositions) = (a_matched, b_matched, 0usize);
    while a_left != 0 {
        let (i, j) = (a_left.trailing_zeros() as usize, b_left.trailing_zeros() as usize);
        transpositions += usize::from(a[i] != b[j]);
        a_left &= a_left - 1;
        b_left &= b_left - 1;
    }
    score(matches, transpositions / 2, a.len(), b.len())
}

fn score(matches: usize, transpositions: usize, a_len: usize, b_len: usize) -> f64 {
    let m = matches as f64;
    (m / a_len as f64 + m / b_len as f64 + (matches - transpositions) as f64 / m) / 3.0
}

fn jaro<T: PartialEq>(a: &[T], b: &[T]) -> f64 {
    if let Some(sim) = empty_case(a.len(), b.len()) {
        return sim;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    // Keys and zone names are short: flags on the stack, no allocation.
    let (mut a_stack, mut b_stack) = ([false; 64], [false; 64]);
    let (mut a_heap, mut b_heap) = (Vec::new(), Vec::new());
    let a_matched = flags(&mut a_stack, &mut a_heap, a.len());
    let b_matched = flags(&mut b_stack, &mut b_heap, b.len());
    let mut matches = 0usize;
    for (i, x) in a.iter().enumerate() {
        let low = i.saturating_sub(window);
        let high = (i + window + 1).min(b.len());
        for j in low..high {
            if !b_matched[j] && b[j] == *x {
                a_matched[i] = true;
                b_matched[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let a_order = a.iter().zip(a_matched.iter()).filter(|(_, m)| **m).map(|(x, _)| x);
    let b_order = b.iter().zip(b_matched.iter()).filter(|(_, m)| **m).map(|(y, _)| y);
    let transpositions = a_order.zip(b_order).filter(|(x, y)| x != y).count() / 2;
    score(matches, transpositions, a.len(), b.len())
}

fn flags<'a>(stack: &'a mut [bool; 64], heap: &'a mut Vec<bool>, len: usize) -> &'a mut [bool] {
    if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, false);
        heap
    }
}

#[cfg(test)]
mod tests {
    use super::{jaro_winkler, Query};

    /// Deterministic pseudo-random strings over a small alphabet, so that
    /// matches, transpositions and shared prefixes are all common.
    fn strings() -> Vec<String> {
        // Mostly ASCII (the bit-set path), some `é` (the general one).
        let alphabet: Vec<char> = "abcdeabcde._é".chars().collect();
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..400)
            .map(|_| {
                let len = (next() % 70) as usize;
                (0..len)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn equals_strsim() {
        let words = strings();
        for pair in words.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert_eq!(jaro_winkler(a, b), strsim::jaro_winkler(a, b), "{a:?} {b:?}");
            let (a, b) = (a.replace('é', "e"), b.replace('é', "e"));
            assert_eq!(jaro_winkler(&a, &b), strsim::jaro_winkler(&a, &b), "{a:?} {b:?}");
        }
        for pair in words.windows(2) {
            for (a, b) in [
                (pair[0].clone(), pair[1].clone()),
                (pair[0].replace('é', "e"), pair[1].replace('é', "e")),
            ] {
                let query = Query::new(&a);
                let exact = jaro_winkler(&a, &b);
                assert!(query.bound(&b) >= exact, "{a:?} {b:?}");
                assert_eq!(
                    query.score_above(&b, 0.5),
                    (exact > 0.5).then_some(exact),
                    "{a:?} {b:?}"
                );
            }
        }
        for (a, b) in [
            ("omero.web.sesion_cookie_age", "omero.web.session_cookie_age"),
            ("", ""),
            ("a", ""),
            ("Europe/Londn", "Europe/London"),
        ] {
            assert_eq!(jaro_winkler(a, b), strsim::jaro_winkler(a, b), "{a:?} {b:?}");
        }
    }
}
