//! The attribution tagging head: a bidirectional LSTM over the whole article's piece states
//! (the encoder's, frozen) and a quoting feature, then a linear layer to the BIO labels of
//! `attribution::LABELS`. It reads the article at once because a source, its cue and its
//! content often sit in different sentences. It lives in its own file
//! (`attribution.safetensors`) with its own variable store, so that adding it leaves the
//! encoder and the other heads byte for byte as they were.

use std::path::Path;

use tch::nn::{self, Module, RNN};
use tch::{Device, Kind, Tensor};

use crate::attribution::{LABELS, N_FEATURES};
use crate::error::{Error, Result};

pub const FILE: &str = "attribution.safetensors";
const FEATURE_DIM: i64 = 16;
const HIDDEN: i64 = 128;

pub struct AttributionHead {
    pub vs: nn::VarStore,
    features: nn::Embedding,
    lstm: nn::LSTM,
    /// The LSTM's weights in libtorch's flat order (forward, then reverse: w_ih, w_hh, b_ih,
    /// b_hh), sharing storage with `vs`, for the packed pass of [`AttributionHead::logits_packed`].
    lstm_params: Vec<Tensor>,
    out: nn::Linear,
    dropout: f64,
}

impl AttributionHead {
    /// Fresh weights for encoder states of width `hidden`.
    pub fn new(hidden: i64) -> Self {
        let vs = nn::VarStore::new(Device::Cpu);
        let root = vs.root() / "attribution";
        let features = nn::embedding(&root / "features", N_FEATURES, FEATURE_DIM, Default::default());
        let config = nn::RNNConfig {
            bidirectional: true,
            batch_first: true,
            ..Default::default()
        };
        let lstm = nn::lstm(&root / "lstm", hidden + FEATURE_DIM, HIDDEN, config);
        let out = nn::linear(&root / "out", 2 * HIDDEN, LABELS.len() as i64, Default::default());
        let variables = vs.variables();
        let lstm_params = ["", "_reverse"]
            .iter()
            .flat_map(|d| {
                ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map(|w| format!("attribution.lstm.{w}_l0{d}"))
            })
            .map(|name| variables[&name].shallow_clone())
            .collect();
        AttributionHead {
            vs,
            features,
            lstm,
            lstm_params,
            out,
            dropout: 0.2,
        }
    }

    /// The head of a model folder, strictly: every variable with its shape.
    pub fn load(dir: &Path, hidden: i64) -> Result<Self> {
        let mut head = Self::new(hidden);
        let file = dir.join(FILE);
        let tensors = super::weights::read(&file)?;
        super::weights::assign(&mut head.vs, tensors, &file, "", |_| false)?;
        Ok(head)
    }

    /// Saved in fp32: the file is small (about 2 MB) and the LSTM is sensitive to rounding.
    pub fn save(&self, dir: &Path) -> Result<()> {
        let path = dir.join(FILE);
        self.vs.save(&path).map_err(|e| Error::model(&path, e.to_string()))
    }

    /// Label logits [B, N, L] from piece states [B, N, H] and feature ids [B, N].
    pub fn logits(&self, states: &Tensor, features: &Tensor, train: bool) -> Tensor {
        let x =
            Tensor::cat(&[states.shallow_clone(), self.features.forward(features)], -1).dropout(self.dropout, train);
        let (h, _) = self.lstm.seq(&x);
        self.out.forward(&h.dropout(self.dropout, train))
    }

    /// Label logits [ΣN, L] for several articles in one pass, for inference: `states`
    /// [ΣN, H] and `features` [ΣN] hold the articles' pieces end to end, `lengths` each
    /// article's count (an article of none is allowed); rows in the same order. Equal to
    /// [`Self::logits`] per article. The input's share of every gate, both directions, is one
    /// matrix product over all pieces; the recurrence then runs over the articles as one
    /// packed batch (its sequential steps are the longest article's, not the sum of all),
    /// the two directions side by side, in [`recurrence`] rather than libtorch's loop, whose
    /// dozen operator calls per step cost more than the step's arithmetic.
    pub fn logits_packed(&self, states: &Tensor, features: &Tensor, lengths: &[usize]) -> Result<Tensor> {
        let (order, batch_sizes) = packing(lengths);
        if order.is_empty() {
            return Ok(self
                .out
                .forward(&Tensor::zeros([0, 2 * HIDDEN], (Kind::Float, Device::Cpu))));
        }
        let x = Tensor::cat(&[states.shallow_clone(), self.features.forward(features)], -1);
        let data = x.index_select(0, &Tensor::from_slice(&order));
        let p = &self.lstm_params; // forward w_ih, w_hh, b_ih, b_hh, then the reverse's
        let w_ih = Tensor::cat(&[&p[0], &p[4]], 0);
        let bias = Tensor::cat(&[&p[2] + &p[3], &p[6] + &p[7]], 0);
        let floats = |t: &Tensor| Vec::<f32>::try_from(&t.to_kind(Kind::Float).contiguous().view([-1]));
        let gates = data
            .linear(&w_ih, Some(&bias))
            .to_device(Device::Cpu)
            .to_kind(Kind::Float)
            .contiguous();
        // Read in place, not copied: it is the batch's largest array (4 KB per piece).
        // SAFETY: a contiguous f32 tensor on the CPU holds `numel` floats at `data_ptr`, and
        // `gates` lives, unchanged, past the slice's last use.
        let gates_in = unsafe { std::slice::from_raw_parts(gates.data_ptr() as *const f32, gates.numel()) };
        // W_hhᵀ [H, 4H] per direction: a row of h times it is then a sum of contiguous rows.
        let (w_forward, w_reverse) = (floats(&p[1].tr())?, floats(&p[5].tr())?);
        let sizes: Vec<usize> = batch_sizes.iter().map(|&b| b as usize).collect();
        let rows = order.len() as i64;
        let (mut forward, mut reverse) = (
            vec![0f32; order.len() * HIDDEN as usize],
            vec![0f32; order.len() * HIDDEN as usize],
        );
        rayon::join(
            || recurrence(gates_in, 0, &w_forward, &sizes, false, &mut forward),
            || recurrence(gates_in, 1, &w_reverse, &sizes, true, &mut reverse),
        );
        let h = Tensor::cat(
            &[
                Tensor::from_slice(&forward).view([rows, HIDDEN]),
                Tensor::from_slice(&reverse).view([rows, HIDDEN]),
            ],
            1,
        );
        let mut unpack = vec![0i64; order.len()];
        for (k, &i) in order.iter().enumerate() {
            unpack[i as usize] = k as i64;
        }
        Ok(self.out.forward(&h.index_select(0, &Tensor::from_slice(&unpack))))
    }
}

/// One direction of the LSTM over a packed batch (`batch_sizes` from [`packing`]), for
/// inference: `gates_in` [rows, 2 × 4·HIDDEN] holds each row's x·W_ihᵀ + b_ih + b_hh for
/// both directions (this one's at `direction`), in libtorch's gate order (input, forget,
/// cell, output); `w_t` is W_hhᵀ [HIDDEN, 4·HIDDEN] row-major. Writes h [rows, HIDDEN] in the
/// packed order to `out`. Going forward, the sequences alive at a step are a prefix of those
/// alive at the step before; going backward a sequence starts (from zero state) at its last
/// row.
fn recurrence(gates_in: &[f32], direction: usize, w_t: &[f32], batch_sizes: &[usize], reverse: bool, out: &mut [f32]) {
    const H: usize = HIDDEN as usize;
    let widest = batch_sizes.first().copied().unwrap_or(0);
    let offsets = starts(batch_sizes);
    let (mut h, mut c) = (vec![0f32; widest * H], vec![0f32; widest * H]);
    let mut gates = vec![0f32; widest * 4 * H];
    let steps: Box<dyn Iterator<Item = usize>> = if reverse {
        Box::new((0..batch_sizes.len()).rev())
    } else {
        Box::new(0..batch_sizes.len())
    };
    let mut alive = 0; // rows whose state carries over (going backward, those of the step after)
    for t in steps {
        let (bs, off) = (batch_sizes[t], offsets[t]);
        if reverse {
            h[alive * H..bs * H].fill(0.0);
            c[alive * H..bs * H].fill(0.0);
        }
        for r in 0..bs {
            let src = &gates_in[((off + r) * 2 + direction) * 4 * H..][..4 * H];
            gates[r * 4 * H..(r + 1) * 4 * H].copy_from_slice(src);
        }
        add_state_product(&mut gates[..bs * 4 * H], &h[..bs * H], w_t);
        for r in 0..bs {
            let g = &gates[r * 4 * H..(r + 1) * 4 * H];
            let (gi, rest) = g.split_at(H);
            let (gf, rest) = rest.split_at(H);
            let (gc, go) = rest.split_at(H);
            let cr = &mut c[r * H..(r + 1) * H];
            let hr = &mut h[r * H..(r + 1) * H];
            for j in 0..H {
                let cj = sigmoid(gf[j]) * cr[j] + sigmoid(gi[j]) * tanh(gc[j]);
                cr[j] = cj;
                hr[j] = sigmoid(go[j]) * tanh(cj);
            }
        }
        out[off * H..(off + bs) * H].copy_from_slice(&h[..bs * H]);
        alive = bs;
    }
}

/// `gates` [bs, 4H] += `h` [bs, H] · `w_t` [H, 4H], row by row as sums of `w_t`'s rows
/// (the rows are few, so a general matrix product's packing would cost more than the sum).
fn add_state_product(gates: &mut [f32], h: &[f32], w_t: &[f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        return unsafe { add_state_product_fma(gates, h, w_t) };
    }
    add_state_product_plain(gates, h, w_t)
}

/// The product's body: each row of `gates` (2 KB, in the first-level cache) takes `h`'s k-th
/// value times `w_t`'s k-th row, a loop the compiler vectorises; `fma` is how a product is
/// added (fused where the CPU has it).
#[inline(always)]
fn state_product(gates: &mut [f32], h: &[f32], w_t: &[f32], fma: impl Fn(f32, f32, f32) -> f32) {
    const H: usize = HIDDEN as usize;
    for (g, hr) in gates.chunks_exact_mut(4 * H).zip(h.chunks_exact(H)) {
        for (&hk, wk) in hr.iter().zip(w_t.chunks_exact(4 * H)) {
            for (gj, &wj) in g.iter_mut().zip(wk) {
                *gj = fma(hk, wj, *gj);
            }
        }
    }
}

fn add_state_product_plain(gates: &mut [f32], h: &[f32], w_t: &[f32]) {
    state_product(gates, h, w_t, |a, b, c| a * b + c)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn add_state_product_fma(gates: &mut [f32], h: &[f32], w_t: &[f32]) {
    state_product(gates, h, w_t, f32::mul_add)
}

/// tanh in single precision without a branch or a library call, so that a row's gates
/// vectorise: Eigen's rational approximation (`generic_fast_tanh_float`, a few ulp from the
/// exact value).
fn tanh(x: f32) -> f32 {
    let x = x.clamp(-7.905_311, 7.905_311);
    let x2 = x * x;
    let p = x2 * -2.760_768_5e-16 + 2.000_188e-13;
    let p = p * x2 + -8.604_672e-11;
    let p = p * x2 + 5.122_297e-8;
    let p = p * x2 + 1.485_722_4e-5;
    let p = p * x2 + 6.372_619_3e-4;
    let p = (p * x2 + 4.893_524_6e-3) * x;
    let q = x2 * 1.198_258_4e-6 + 1.185_347e-4;
    let q = q * x2 + 2.268_434_6e-3;
    let q = q * x2 + 4.893_525e-3;
    p / q
}

fn sigmoid(x: f32) -> f32 {
    0.5 + 0.5 * tanh(0.5 * x)
}

/// Where each of runs of `lengths` laid end to end starts.
fn starts(lengths: &[usize]) -> Vec<usize> {
    lengths
        .iter()
        .scan(0, |acc, &n| {
            let s = *acc;
            *acc += n;
            Some(s)
        })
        .collect()
}

/// The packed-sequence layout of sequences of `lengths` laid end to end: for each step t,
/// the row of every sequence longer than t, longest sequence first (ties in the order given),
/// and the number of such rows per step (libtorch's `batch_sizes`). An empty sequence has no
/// step.
pub fn packing(lengths: &[usize]) -> (Vec<i64>, Vec<i64>) {
    let starts = starts(lengths);
    let mut by_length: Vec<usize> = (0..lengths.len()).collect();
    by_length.sort_by_key(|&i| std::cmp::Reverse(lengths[i]));
    let longest = by_length.first().map_or(0, |&i| lengths[i]);
    let (mut order, mut batch_sizes) = (Vec::new(), Vec::with_capacity(longest));
    for t in 0..longest {
        let live: Vec<usize> = by_length.iter().copied().take_while(|&i| lengths[i] > t).collect();
        order.extend(live.iter().map(|&i| (starts[i] + t) as i64));
        batch_sizes.push(live.len() as i64);
    }
    (order, batch_sizes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_takes_each_step_of_the_sequences_still_running_longest_first() {
        // Sequences of 2, 3 and 1 rows at rows 0..2, 2..5 and 5..6.
        assert_eq!(packing(&[2, 3, 1]), (vec![2, 0, 5, 3, 1, 4], vec![3, 2, 1]));
        assert_eq!(packing(&[2, 0, 1]), (vec![0, 2, 1], vec![2, 1]));
        assert_eq!(packing(&[]), (vec![], vec![]));
    }

    #[test]
    fn the_state_product_equals_the_matrix_product_with_and_without_fused_multiply_add() {
        const H: usize = HIDDEN as usize;
        tch::manual_seed(11);
        let (bs, w) = (3, Tensor::randn([H as i64, 4 * H as i64], (Kind::Float, Device::Cpu)));
        let h = Tensor::randn([bs, H as i64], (Kind::Float, Device::Cpu));
        let g = Tensor::randn([bs, 4 * H as i64], (Kind::Float, Device::Cpu));
        let floats = |t: &Tensor| Vec::<f32>::try_from(&t.contiguous().view([-1])).unwrap();
        let expect = &g + h.matmul(&w);
        for product in [add_state_product, add_state_product_plain] {
            let mut gates = floats(&g);
            product(&mut gates, &floats(&h), &floats(&w));
            let diff = (Tensor::from_slice(&gates).view([bs, 4 * H as i64]) - &expect)
                .abs()
                .max();
            assert!(diff.double_value(&[]) < 1e-4, "{diff}");
        }
    }

    #[test]
    fn the_packed_pass_over_several_articles_equals_one_article_at_a_time() {
        tch::manual_seed(7);
        let head = AttributionHead::new(8);
        let lengths = [5usize, 1, 9, 5];
        let states: Vec<Tensor> = lengths
            .iter()
            .map(|&n| Tensor::randn([n as i64, 8], (Kind::Float, Device::Cpu)))
            .collect();
        let features: Vec<Tensor> = lengths
            .iter()
            .map(|&n| Tensor::randint(N_FEATURES, [n as i64], (Kind::Int64, Device::Cpu)))
            .collect();
        let packed =
            tch::no_grad(|| head.logits_packed(&Tensor::cat(&states, 0), &Tensor::cat(&features, 0), &lengths))
                .unwrap();
        let one_by_one: Vec<Tensor> = states
            .iter()
            .zip(&features)
            .map(|(s, f)| tch::no_grad(|| head.logits(&s.unsqueeze(0), &f.unsqueeze(0), false).squeeze_dim(0)))
            .collect();
        assert_eq!(packed.size(), [20, LABELS.len() as i64]);
        let diff = (packed - Tensor::cat(&one_by_one, 0)).abs().max().double_value(&[]);
        assert!(diff < 1e-5, "largest difference {diff}");
    }
}
