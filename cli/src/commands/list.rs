//! `cinder list`: the codecs of this build.

use anyhow::Result;

/// Prints every registered codec with its id, media kinds and quality levels.
pub fn run() -> Result<()> {
    let registry = cinder_codecs::default_registry();
    for codec in registry.iter() {
        let info = codec.info;
        let kinds: Vec<String> = info
            .kinds
            .iter()
            .map(|k| format!("{k:?}").to_lowercase())
            .collect();
        println!(
            "{:<8} id {:<3} {:<12} {:<9} {}",
            info.name,
            info.id,
            kinds.join("+"),
            if info.lossless { "lossless" } else { "lossy" },
            info.description
        );
        for q in info.qualities {
            let default = if q.level == info.default_quality {
                " (default)"
            } else {
                ""
            };
            println!("{:>14} -q {:<3} {}{default}", "", q.level, q.label);
        }
    }
    Ok(())
}
