//! Deterministic sample text for tests, benchmarks and demos: the same seed
//! gives the same text on every machine, with no random-number crate.

/// Words of several scripts, so lowercasing and Unicode segmentation do
/// real work. Earlier words are drawn more often, as in natural text.
const VOCABULARY: &[&str] = &[
    "the", "of", "and", "to", "in", "a", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "he", "this", "are", "or", "his", "from", "at", "which", "but", "have",
    "an", "had", "they", "you", "were", "their", "one", "all", "we", "can", "her", "has", "there",
    "been", "if", "more", "when", "will", "would", "who", "so", "no", "Worker", "Thread", "Pool",
    "Rayon", "Channel", "Queue", "café", "naïve", "Straße", "über", "façade", "Ærø", "νέο", "Мир",
    "東京", "Zürich",
];

/// `words` words drawn from a fixed vocabulary, with punctuation and roughly
/// twelve words per line.
#[must_use]
pub fn text(seed: u64, words: usize) -> String {
    // xorshift64*: tiny, fast and good enough to pick words. Zero is its
    // one fixed point, so the seed is mixed first.
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    };
    let len = VOCABULARY.len() as u64;
    let mut text = String::with_capacity(words * 7);
    for i in 0..words {
        // The smaller of two draws favours the front of the vocabulary.
        let draw = (next() % len).min(next() % len);
        // Below `VOCABULARY.len()`, so it always fits.
        let index = usize::try_from(draw).unwrap_or_default();
        text.push_str(VOCABULARY[index]);
        text.push_str(match next() % 24 {
            0 => ". ",
            1 => ", ",
            _ if i % 12 == 11 => "\n",
            _ => " ",
        });
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_text_other_seed_other_text() {
        assert_eq!(text(7, 500), text(7, 500));
        assert_ne!(text(7, 500), text(8, 500));
    }

    #[test]
    fn has_the_requested_number_of_words() {
        let sample = text(1, 1000);
        let words = sample
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .count();
        assert_eq!(words, 1000);
    }
}
