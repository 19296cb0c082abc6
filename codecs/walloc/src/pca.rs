//! Principal component analysis of WPT coefficient vectors: the closed-form linear WaLLoC (spec §6.1; WaLLoC's
//! 1×1 encoder is initialised this way). Covariance in f64, eigenvectors by cyclic Jacobi rotations with a fixed
//! order, so fitting is deterministic.

/// Running mean and covariance of `dim`-dimensional vectors.
#[derive(Debug, Clone)]
pub struct Moments {
    dim: usize,
    count: u64,
    sum: Vec<f64>,
    /// Upper triangle of Σ x xᵀ, row-major full matrix for simplicity.
    outer: Vec<f64>,
}

impl Moments {
    /// Empty moments of dimension `dim`.
    pub fn new(dim: usize) -> Moments {
        Moments {
            dim,
            count: 0,
            sum: vec![0.0; dim],
            outer: vec![0.0; dim * dim],
        }
    }

    /// Adds one vector.
    pub fn add(&mut self, x: &[f32]) {
        let d = self.dim;
        self.count += 1;
        for i in 0..d {
            let xi = f64::from(x[i]);
            self.sum[i] += xi;
            let row = &mut self.outer[i * d..(i + 1) * d];
            for j in i..d {
                row[j] += xi * f64::from(x[j]);
            }
        }
    }

    /// Merges another accumulator (for parallel accumulation).
    pub fn merge(&mut self, other: &Moments) {
        self.count += other.count;
        self.sum.iter_mut().zip(&other.sum).for_each(|(a, b)| *a += b);
        self.outer.iter_mut().zip(&other.outer).for_each(|(a, b)| *a += b);
    }

    /// Number of vectors added.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Mean and covariance (full symmetric matrix).
    pub fn mean_cov(&self) -> (Vec<f64>, Vec<f64>) {
        let d = self.dim;
        let n = self.count.max(1) as f64;
        let mean: Vec<f64> = self.sum.iter().map(|s| s / n).collect();
        let mut cov = vec![0.0; d * d];
        for i in 0..d {
            for j in i..d {
                let c = self.outer[i * d + j] / n - mean[i] * mean[j];
                cov[i * d + j] = c;
                cov[j * d + i] = c;
            }
        }
        (mean, cov)
    }
}

/// Eigen-decomposition of a symmetric matrix: eigenvalues descending and unit eigenvectors (rows), each signed
/// so that its largest-magnitude entry is positive.
pub fn symmetric_eigen(matrix: &[f64], d: usize) -> (Vec<f64>, Vec<Vec<f64>>) {
    let mut a = matrix.to_vec();
    let mut v = vec![0.0; d * d];
    (0..d).for_each(|i| v[i * d + i] = 1.0);
    for _sweep in 0..64 {
        let off: f64 = (0..d)
            .flat_map(|i| (0..d).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * d + j].powi(2))
            .sum();
        let diag: f64 = (0..d).map(|i| a[i * d + i].powi(2)).sum();
        if off <= 1e-24 * diag.max(1e-300) {
            break;
        }
        for p in 0..d {
            for q in p + 1..d {
                rotate(&mut a, &mut v, d, p, q);
            }
        }
    }
    let mut order: Vec<usize> = (0..d).collect();
    order.sort_by(|&i, &j| a[j * d + j].total_cmp(&a[i * d + i]).then(i.cmp(&j)));
    let values = order.iter().map(|&i| a[i * d + i]).collect();
    let vectors = order
        .iter()
        .map(|&i| {
            let mut col: Vec<f64> = (0..d).map(|r| v[r * d + i]).collect();
            let big = col
                .iter()
                .copied()
                .fold(0.0f64, |m, x| if x.abs() > m.abs() { x } else { m });
            if big < 0.0 {
                col.iter_mut().for_each(|x| *x = -*x);
            }
            col
        })
        .collect();
    (values, vectors)
}

/// One Jacobi rotation zeroing `a[p][q]`.
fn rotate(a: &mut [f64], v: &mut [f64], d: usize, p: usize, q: usize) {
    let apq = a[p * d + q];
    if apq.abs() < 1e-300 {
        return;
    }
    let theta = (a[q * d + q] - a[p * d + p]) / (2.0 * apq);
    let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
    let t = if theta == 0.0 { 1.0 } else { t };
    let c = 1.0 / (t * t + 1.0).sqrt();
    let s = t * c;
    for k in 0..d {
        let (akp, akq) = (a[k * d + p], a[k * d + q]);
        a[k * d + p] = c * akp - s * akq;
        a[k * d + q] = s * akp + c * akq;
    }
    for k in 0..d {
        let (apk, aqk) = (a[p * d + k], a[q * d + k]);
        a[p * d + k] = c * apk - s * aqk;
        a[q * d + k] = s * apk + c * aqk;
    }
    for k in 0..d {
        let (vkp, vkq) = (v[k * d + p], v[k * d + q]);
        v[k * d + p] = c * vkp - s * vkq;
        v[k * d + q] = s * vkp + c * vkq;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_known_spectrum() {
        // A = Q diag(5, 2, 1) Qᵀ with a rotation Q.
        let (c, s) = (0.6f64, 0.8f64);
        let q = [[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]];
        let l = [5.0, 2.0, 1.0];
        let mut a = vec![0.0; 9];
        for i in 0..3 {
            for j in 0..3 {
                a[i * 3 + j] = (0..3).map(|k| q[i][k] * l[k] * q[j][k]).sum();
            }
        }
        let (vals, vecs) = symmetric_eigen(&a, 3);
        for (v, want) in vals.iter().zip(l) {
            assert!((v - want).abs() < 1e-9);
        }
        let dot: f64 = vecs[0].iter().zip([c, s, 0.0]).map(|(a, b)| a * b).sum();
        assert!((dot.abs() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn moments_give_mean_and_covariance() {
        let mut m = Moments::new(2);
        for x in [[1.0f32, 2.0], [3.0, 2.0], [2.0, 5.0]] {
            m.add(&x);
        }
        let (mean, cov) = m.mean_cov();
        assert!((mean[0] - 2.0).abs() < 1e-12 && (mean[1] - 3.0).abs() < 1e-12);
        assert!((cov[0] - 2.0 / 3.0).abs() < 1e-12);
        assert!((cov[1] - cov[2]).abs() < 1e-15);
    }
}
