//! The CPU stages around the encoder, one benchmark each, on the example article: clean,
//! segment, tokenize, NER decoding (BIO Viterbi + entity spans, from the bundled model's real
//! tag probabilities), actor resolution, and stance aggregation. The encoder itself is measured
//! by scripts/bench against its peers. Run: `. scripts/env && cargo bench --bench stages`.

use std::hint::black_box;
use std::path::Path;

use actorstance::encode::{encode_sentences, TOKEN_BUDGET};
use actorstance::heads::decode_tags;
use actorstance::input::text_record;
use actorstance::model::StanceModel;
use actorstance::ner::entities;
use actorstance::pipeline::{Analyzer, Options};
use actorstance::record::Outcome;
use actorstance::stance::{score_actors, Rollup};
use actorstance::{clean, segment};
use criterion::{criterion_group, criterion_main, Criterion};
use tch::{Kind, Tensor};

fn stages(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("examples/azerbaijan-russia.txt")).unwrap();
    let model = StanceModel::load(&root.join(actorstance::model::BUNDLED_MODEL)).unwrap();
    let chars: Vec<char> = text.chars().collect();

    c.bench_function("clean", |b| b.iter(|| clean::body_paragraphs(black_box(&text))));
    let paragraphs = clean::body_paragraphs(&text);
    let split = || -> Vec<_> {
        paragraphs
            .iter()
            .flat_map(|p| segment::sentences(black_box(&chars), p.clone()))
            .collect()
    };
    c.bench_function("segment", |b| b.iter(split));
    let sentences = split();
    let texts: Vec<String> = sentences.iter().map(|r| chars[r.clone()].iter().collect()).collect();
    c.bench_function("tokenize", |b| {
        b.iter(|| {
            texts
                .iter()
                .map(|s| model.tokenizer.sentence(black_box(s)).unwrap())
                .collect::<Vec<_>>()
        })
    });

    // NER decoding (the BIO Viterbi and entity spans) from the model's own probabilities,
    // computed once.
    let pieces: Vec<_> = texts.iter().map(|s| model.tokenizer.sentence(s).unwrap()).collect();
    let states = encode_sentences(&model, &pieces.iter().collect::<Vec<_>>(), TOKEN_BUDGET).unwrap();
    let labels = &model.heads.ner_labels;
    let probs: Vec<Vec<f32>> = pieces
        .iter()
        .zip(&states)
        .map(|(p, st)| {
            let st = st.as_ref().unwrap();
            let pr = tch::no_grad(|| {
                model
                    .ner_logits(&st.pieces, &Tensor::from_slice(&p.shapes), false)
                    .softmax(-1, Kind::Float)
            });
            Vec::<f32>::try_from(&pr.contiguous().view([-1])).unwrap()
        })
        .collect();
    c.bench_function("ner_decoding", |b| {
        b.iter(|| {
            let mut n = 0;
            for (k, (p, pr)) in pieces.iter().zip(&probs).enumerate() {
                let tags = decode_tags(black_box(pr), labels.len(), p, Some(labels));
                n += entities(p, &tags, labels, &chars, sentences[k].start, k).len();
            }
            n
        })
    });

    // Resolution and aggregation on the article's real findings.
    let analyzer = Analyzer::new(model, Options::default()).unwrap();
    let record = text_record("example".into(), text.clone().into_bytes());
    let Some(Outcome::Analysed(_, analysis)) = analyzer.analyze(vec![record]).into_iter().next() else {
        panic!("the example article must analyse");
    };
    let resolver = analyzer.resolver();
    c.bench_function("resolution", |b| {
        b.iter(|| {
            resolver.resolve(
                black_box(&analysis.chars),
                &analysis.findings.mentions,
                Some("2025-07-01"),
            )
        })
    });
    c.bench_function("aggregation", |b| {
        b.iter(|| score_actors(black_box(&analysis.resolution), &analysis.findings, Rollup::Country))
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
