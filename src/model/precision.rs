//! The number format the encoder computes in. The heads always stay fp32: they are a few
//! thousand weights, and their inputs are converted back to fp32 at the encoder's output.

use std::fmt;
use std::str::FromStr;

/// What the user asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PrecisionChoice {
    /// The fastest precision that holds the dev metrics on this CPU (see [`Precision::auto`]).
    #[default]
    Auto,
    Fixed(Precision),
}

/// What the encoder runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precision {
    Fp32,
    /// bfloat16 weights and activations (fp32's range, 8 bits of mantissa).
    Bf16,
}

impl Precision {
    /// bf16 where the CPU computes it natively (AVX-512 BF16; oneDNN also uses AMX on CPUs that
    /// have both), fp32 elsewhere: without those instructions libtorch emulates bf16 matrix
    /// products, which is far slower than fp32. int8 is not offered: dynamic quantisation of
    /// every linear layer moved the states too far (cosine 0.94) for 1.25x, and the variants
    /// that stayed close gained under 10% (scripts/probe-int8.py; see the model card).
    pub fn auto() -> Precision {
        if cpu_has_bf16() {
            Precision::Bf16
        } else {
            Precision::Fp32
        }
    }

    pub fn kind(self) -> tch::Kind {
        match self {
            Precision::Fp32 => tch::Kind::Float,
            Precision::Bf16 => tch::Kind::BFloat16,
        }
    }
}

impl PrecisionChoice {
    pub fn resolve(self) -> Precision {
        match self {
            PrecisionChoice::Auto => Precision::auto(),
            PrecisionChoice::Fixed(p) => p,
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn cpu_has_bf16() -> bool {
    std::arch::is_x86_feature_detected!("avx512bf16")
}

#[cfg(not(target_arch = "x86_64"))]
fn cpu_has_bf16() -> bool {
    false
}

impl fmt::Display for Precision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Precision::Fp32 => "fp32",
            Precision::Bf16 => "bf16",
        })
    }
}

impl FromStr for PrecisionChoice {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "auto" => Ok(PrecisionChoice::Auto),
            "fp32" => Ok(PrecisionChoice::Fixed(Precision::Fp32)),
            "bf16" => Ok(PrecisionChoice::Fixed(Precision::Bf16)),
            "int8" => Err("int8 is not offered: on the CPUs measured it was either not faster or not accurate enough (see the model card)".into()),
            other => Err(format!("unknown precision {other:?} (expected auto, fp32 or bf16)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn choices_parse_and_auto_is_one_of_the_offered_precisions() {
        assert_eq!("fp32".parse(), Ok(PrecisionChoice::Fixed(Precision::Fp32)));
        assert_eq!("bf16".parse(), Ok(PrecisionChoice::Fixed(Precision::Bf16)));
        assert_eq!("auto".parse(), Ok(PrecisionChoice::Auto));
        assert!("int8".parse::<PrecisionChoice>().unwrap_err().contains("not offered"));
        assert!("fp16".parse::<PrecisionChoice>().is_err());
        let auto = PrecisionChoice::Auto.resolve();
        assert_eq!(auto == Precision::Bf16, cpu_has_bf16());
    }
}
