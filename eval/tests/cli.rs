//! The `cinder-eval` binary end to end on synthetic data: a sweep with the raw codec, then bd-rate and plot.

use std::process::Command;

fn eval() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cinder-eval"))
}

#[test]
fn sweep_then_bd_rate_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("imgs");
    std::fs::create_dir(&data).unwrap();
    for s in 0..2 {
        let img = cinder_datasets::synthetic::synthetic_image(12, 10, 3, s);
        std::fs::write(
            data.join(format!("{s}.png")),
            cinder_datasets::io::encode_png(&img).unwrap(),
        )
        .unwrap();
    }
    let out = dir.path().join("r/raw.json");
    let status = eval()
        .args(["--codec", "raw", "--quiet", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    for ext in ["json", "csv", "md"] {
        assert!(out.with_extension(ext).is_file(), "{ext} missing");
    }

    // Two hand-made curves: the second needs 20 % more rate everywhere.
    let a = dir.path().join("a.json");
    let b = dir.path().join("b.json");
    std::fs::write(
        &a,
        r#"{"name":"a","description":"","results":{"bpp":[1,2,4,8],"psnr-rgb":[30,32,34,36]}}"#,
    )
    .unwrap();
    std::fs::write(
        &b,
        r#"{"name":"b","description":"","results":{"bpp":[1.2,2.4,4.8,9.6],"psnr-rgb":[30,32,34,36]}}"#,
    )
    .unwrap();
    let bd = eval().arg("bd-rate").arg(&a).arg(&b).output().unwrap();
    assert!(bd.status.success());
    let text = String::from_utf8_lossy(&bd.stdout);
    assert!(text.contains("+20.00 %"), "{text}");

    let svg = dir.path().join("rd.svg");
    let plot = eval()
        .arg("plot")
        .arg(&a)
        .arg(&b)
        .arg("--out")
        .arg(&svg)
        .status()
        .unwrap();
    assert!(plot.success());
    assert!(svg.is_file() && svg.with_extension("png").is_file());

    let bad = eval()
        .args(["--codec", "nope", "--data", "x", "--out", "y.json"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown codec"));
}
