//! HCLT structure learning (spec §1.2, Liu & Van den Broeck NeurIPS'21 as used by Liu et al. ICLR'22 §5):
//! pairwise mutual information between pixels, a Chow–Liu maximum spanning tree, rooted at its centre.
//!
//! Ties are broken deterministically: edges sort by (−MI, i, j) with `f64::total_cmp`, and the centre of an
//! even diameter is the smaller-index middle node.

use crate::data::Pixels;
use crate::PcError;
use rayon::prelude::*;

/// Marker for "no parent" in [`Tree::parent`].
pub const NO_PARENT: u32 = u32::MAX;

/// A rooted tree over the D pixels, with children lists and a post-order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tree {
    /// Parent of each pixel, [`NO_PARENT`] for the root.
    pub parent: Vec<u32>,
    /// The root pixel.
    pub root: usize,
    /// Children of pixel `v`: `child_list[child_start[v]..child_start[v + 1]]`, ascending.
    pub child_start: Vec<u32>,
    /// Concatenated children lists.
    pub child_list: Vec<u32>,
    /// Post-order (children subtrees in ascending index order, then the node).
    pub post_order: Vec<u32>,
}

impl Tree {
    /// Builds the derived arrays from a parent array; refuses anything that is not one rooted tree.
    pub fn from_parents(parent: Vec<u32>) -> Result<Tree, PcError> {
        let d = parent.len();
        let roots: Vec<usize> = (0..d).filter(|&v| parent[v] == NO_PARENT).collect();
        if d == 0 || roots.len() != 1 {
            return Err(PcError::BadModel(format!(
                "tree over {d} pixels has {} roots, expected 1",
                roots.len()
            )));
        }
        let root = roots[0];
        let mut count = vec![0u32; d + 1];
        for (v, &p) in parent.iter().enumerate() {
            if p != NO_PARENT {
                if p as usize >= d || p as usize == v {
                    return Err(PcError::BadModel(format!("pixel {v} has invalid parent {p}")));
                }
                count[p as usize + 1] += 1;
            }
        }
        for v in 0..d {
            count[v + 1] += count[v];
        }
        let child_start = count.clone();
        let mut fill = count;
        let mut child_list = vec![0u32; d - 1];
        for (v, &p) in parent.iter().enumerate() {
            if p != NO_PARENT {
                child_list[fill[p as usize] as usize] = v as u32;
                fill[p as usize] += 1;
            }
        }
        let mut tree = Tree {
            parent,
            root,
            child_start,
            child_list,
            post_order: Vec::with_capacity(d),
        };
        tree.post_order = tree.compute_post_order();
        if tree.post_order.len() != d {
            return Err(PcError::BadModel("parent array contains a cycle".into()));
        }
        Ok(tree)
    }

    /// Number of pixels.
    pub fn len(&self) -> usize {
        self.parent.len()
    }

    /// True for an empty tree (never built by this crate).
    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// Children of `v`.
    pub fn children(&self, v: usize) -> &[u32] {
        &self.child_list[self.child_start[v] as usize..self.child_start[v + 1] as usize]
    }

    /// True when `v` carries a latent variable: the root and every node with children.
    pub fn is_inner(&self, v: usize) -> bool {
        v == self.root || !self.children(v).is_empty()
    }

    fn compute_post_order(&self) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.len());
        // (node, next child position)
        let mut stack = vec![(self.root, 0usize)];
        while let Some(top) = stack.last_mut() {
            let (v, i) = *top;
            let kids = self.children(v);
            if i < kids.len() {
                top.1 += 1;
                stack.push((kids[i] as usize, 0));
                if stack.len() > self.len() {
                    break;
                }
            } else {
                out.push(v as u32);
                stack.pop();
            }
        }
        out
    }
}

/// Quantisation of pixels for the MI estimate (spec §7: 16 levels).
const LEVELS: usize = 16;

/// Pairwise mutual information (nats) of the 16-level-bucketed pixels, with Laplace `pseudocount` spread
/// uniformly over the cells. Returns the upper triangle row by row: `mi[i][j - i - 1]`.
pub fn mutual_information(data: &Pixels, pseudocount: f64) -> Vec<Vec<f64>> {
    let d = data.dim();
    let n = data.count;
    let binned: Vec<u8> = data.pixels.iter().map(|&x| x >> 4).collect();
    let mut marg = vec![[0u32; LEVELS]; d];
    for img in binned.chunks(d) {
        for (v, &x) in img.iter().enumerate() {
            marg[v][x as usize] += 1;
        }
    }
    let total = n as f64 + pseudocount;
    let k = LEVELS as f64;
    let pm: Vec<[f64; LEVELS]> = marg
        .iter()
        .map(|c| std::array::from_fn(|a| (f64::from(c[a]) + pseudocount / k) / total))
        .collect();
    (0..d)
        .into_par_iter()
        .map(|i| {
            let mut table = vec![0u32; (d - i - 1) * LEVELS * LEVELS];
            for img in binned.chunks(d) {
                let a = img[i] as usize * LEVELS;
                for (off, &b) in img[i + 1..].iter().enumerate() {
                    table[off * LEVELS * LEVELS + a + b as usize] += 1;
                }
            }
            (0..d - i - 1)
                .map(|off| {
                    let j = i + 1 + off;
                    let cells = &table[off * LEVELS * LEVELS..(off + 1) * LEVELS * LEVELS];
                    let mut mi = 0.0;
                    for a in 0..LEVELS {
                        for b in 0..LEVELS {
                            let p = (f64::from(cells[a * LEVELS + b]) + pseudocount / (k * k)) / total;
                            mi += p * libm::log(p / (pm[i][a] * pm[j][b]));
                        }
                    }
                    mi
                })
                .collect()
        })
        .collect()
}

/// Chow–Liu maximum spanning tree (Kruskal, ties by index), rooted at the centre of its diameter.
pub fn chow_liu_tree(data: &Pixels, pseudocount: f64) -> Result<Tree, PcError> {
    let d = data.dim();
    if d < 2 {
        return Tree::from_parents(vec![NO_PARENT; d.max(1)]);
    }
    let mi = mutual_information(data, pseudocount);
    let mut edges: Vec<(f64, u32, u32)> = Vec::with_capacity(d * (d - 1) / 2);
    for (i, row) in mi.iter().enumerate() {
        for (off, &m) in row.iter().enumerate() {
            edges.push((m, i as u32, (i + 1 + off) as u32));
        }
    }
    edges.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let mut uf: Vec<u32> = (0..d as u32).collect();
    fn find(uf: &mut [u32], mut x: u32) -> u32 {
        while uf[x as usize] != x {
            uf[x as usize] = uf[uf[x as usize] as usize];
            x = uf[x as usize];
        }
        x
    }
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); d];
    let mut taken = 0;
    for &(_, i, j) in &edges {
        let (ri, rj) = (find(&mut uf, i), find(&mut uf, j));
        if ri != rj {
            uf[ri.max(rj) as usize] = ri.min(rj);
            adj[i as usize].push(j);
            adj[j as usize].push(i);
            taken += 1;
            if taken == d - 1 {
                break;
            }
        }
    }
    for a in &mut adj {
        a.sort_unstable();
    }
    let root = centre(&adj);
    let (parent, _) = bfs(&adj, root);
    Tree::from_parents(parent)
}

/// BFS parents and distances from `start`.
fn bfs(adj: &[Vec<u32>], start: usize) -> (Vec<u32>, Vec<u32>) {
    let mut parent = vec![NO_PARENT; adj.len()];
    let mut dist = vec![u32::MAX; adj.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    dist[start] = 0;
    while let Some(v) = queue.pop_front() {
        for &w in &adj[v] {
            if dist[w as usize] == u32::MAX {
                dist[w as usize] = dist[v] + 1;
                parent[w as usize] = v as u32;
                queue.push_back(w as usize);
            }
        }
    }
    (parent, dist)
}

/// The centre of the tree: the middle of a diameter path (smaller index of two middles).
fn centre(adj: &[Vec<u32>]) -> usize {
    let far = |dist: &[u32]| {
        let mut best = 0;
        for (v, &x) in dist.iter().enumerate() {
            if x != u32::MAX && x > dist[best] {
                best = v;
            }
        }
        best
    };
    let (_, d0) = bfs(adj, 0);
    let a = far(&d0);
    let (pa, da) = bfs(adj, a);
    let b = far(&da);
    let mut path = vec![b];
    while let Some(&last) = path.last() {
        let p = pa[last];
        if p == NO_PARENT {
            break;
        }
        path.push(p as usize);
    }
    let len = path.len();
    if len % 2 == 1 {
        path[len / 2]
    } else {
        path[len / 2 - 1].min(path[len / 2])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_from_parents_and_post_order() {
        // 0 - 1 - 2, root 1
        let t = Tree::from_parents(vec![1, NO_PARENT, 1]).unwrap();
        assert_eq!(t.root, 1);
        assert_eq!(t.children(1), &[0, 2]);
        assert_eq!(t.post_order, vec![0, 2, 1]);
        assert!(Tree::from_parents(vec![1, 0]).is_err());
        assert!(Tree::from_parents(vec![NO_PARENT, NO_PARENT]).is_err());
    }

    #[test]
    fn chow_liu_links_correlated_pixels() {
        // pixel 1 copies pixel 0, pixel 2 copies pixel 3, 0 and 3 weakly related
        let mut px = Vec::new();
        for n in 0..200u32 {
            let a = ((n * 37) % 256) as u8;
            let b = ((n * 91 + 7) % 256) as u8;
            px.extend([a, a, b, b]);
        }
        let data = Pixels {
            width: 4,
            height: 1,
            count: 200,
            pixels: px,
        };
        let t = chow_liu_tree(&data, 0.1).unwrap();
        assert!(t.parent[0] == 1 || t.parent[1] == 0);
        assert!(t.parent[2] == 3 || t.parent[3] == 2);
        assert_eq!(t, chow_liu_tree(&data, 0.1).unwrap());
    }
}
