//! End to end: `host-test transform` on a file against a jq program doing the baseline
//! mapping.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::Error;

/// End to end on a file of `count` records: `host-test transform FILE` (this executable) and
/// the jq program, both reading the file and writing to /dev/null. Events per second, each;
/// jq's is `None` when jq is not installed.
pub fn end_to_end(
    workspace: &Path,
    records: &[String],
    count: usize,
) -> Result<(f64, Option<f64>), Error> {
    let file = std::env::temp_dir().join(format!("k8s-audit-ecs-bench-{}.log", std::process::id()));
    let written = (|| -> std::io::Result<()> {
        let mut out = std::io::BufWriter::new(std::fs::File::create(&file)?);
        for record in records.iter().cycle().take(count) {
            writeln!(out, "{record}")?;
        }
        out.flush()
    })();
    written.map_err(|e| Error::new(format!("{}: {e}", file.display())))?;
    let exe = std::env::current_exe().map_err(|e| Error::new(e.to_string()))?;
    let ours = time_command(Command::new(exe).arg("transform").arg(&file));
    let jq_installed = Command::new("jq")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    let jq = jq_installed.then(|| {
        time_command(
            Command::new("jq")
                .arg("-c")
                .arg("-f")
                .arg(workspace.join("bench/baseline.jq"))
                .arg(&file),
        )
    });
    let _ = std::fs::remove_file(&file);
    let ours = ours?;
    let jq = jq.transpose()?;
    Ok((
        count as f64 / ours,
        jq.map(|seconds| count as f64 / seconds),
    ))
}

fn time_command(command: &mut Command) -> Result<f64, Error> {
    let start = Instant::now();
    let status = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| Error::new(format!("{command:?}: {e}")))?;
    if !status.success() {
        return Err(Error::new(format!("{command:?} failed: {status}")));
    }
    Ok(start.elapsed().as_secs_f64())
}
