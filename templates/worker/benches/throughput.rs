//! Sequential against parallel word statistics on the same in-memory corpus:
//! `cargo bench`. The `parallel` rows at 1 and N threads give the speed-up;
//! `pipeline` adds the bounded channel and the sink to show their cost.

use std::sync::LazyLock;

use divan::Bencher;
use rayon::prelude::*;

use <%= crate %>::pipeline::{CancelToken, Event, Outcome, Pipeline};
use <%= crate %>::{TextStats, build_pool, sample};

fn main() {
    divan::main();
}

/// 64 texts of 20,000 words (about 8 MB): enough work per job that
/// scheduling costs vanish, small enough to stay in memory.
static CORPUS: LazyLock<Vec<String>> =
    LazyLock::new(|| (0..64).map(|seed| sample::text(seed, 20_000)).collect());

#[divan::bench(sample_count = 20)]
fn sequential() -> Vec<TextStats> {
    CORPUS.iter().map(|text| TextStats::of(text)).collect()
}

#[divan::bench(args = [1, 2, 4], sample_count = 20)]
fn parallel(bencher: Bencher, threads: usize) {
    let pool = build_pool(threads).expect("a Rayon pool");
    bencher.bench(|| {
        pool.install(|| {
            CORPUS
                .par_iter()
                .map(|text| TextStats::of(text))
                .collect::<Vec<_>>()
        })
    });
}

#[divan::bench(args = [1, 2], sample_count = 20)]
fn pipeline(bencher: Bencher, threads: usize) {
    let pipeline = Pipeline::new(threads, 16).expect("a pipeline");
    bencher.bench(|| {
        let mut words = 0;
        pipeline
            .run(
                (0..CORPUS.len()).into_par_iter(),
                Some(CORPUS.len() as u64),
                |i| Outcome {
                    id: i.to_string(),
                    result: Ok::<_, String>(TextStats::of(&CORPUS[i])),
                },
                &CancelToken::new(),
                |event| {
                    if let Event::Item(outcome) = event {
                        words += outcome.result.as_ref().map_or(0, |stats| stats.words);
                    }
                    Ok(())
                },
            )
            .expect("a finished batch");
        words
    });
}
