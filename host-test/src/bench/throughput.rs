//! Throughput: every way to run the transform on the same records, in interleaved rounds,
//! with the serde_json floor beside them.

use std::time::{Duration, Instant};

use k8s_audit_ecs::{Options, Profile, TextEnd, Transformer};

use super::{Input, line_batches, repeat};
use crate::{Error, Runtime, Session};

/// How long each throughput measurement runs in all, at least (split into rounds).
pub(super) const MIN_TIME: Duration = Duration::from_millis(1500);

/// How many rounds [`measure_interleaved`] runs; each path's figure is its median round.
const ROUNDS: usize = 7;

/// A way to run the transform, measured on the same records as the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// The native core, one `transform` call per record.
    NativePerCall,
    /// The native core, NDJSON of 1000 records into one reused buffer.
    NativeLines1000,
    /// The component, one `transform` call per record.
    ComponentPerCall,
    /// The component, `transform-lines` on NDJSON of 100 records.
    ComponentLines100,
    /// The component, `transform-lines` on NDJSON of 1000 records.
    ComponentLines1000,
    /// The component, `transform-batch` on a list of 1000 records.
    ComponentList1000,
    /// The component without the time budget, one call per record.
    UnbudgetedPerCall,
    /// The component without the time budget, NDJSON of 1000.
    UnbudgetedLines1000,
    /// The floor: serde_json parsing each record into a `Value` and writing it back.
    Floor,
}

impl Route {
    /// What the report calls it.
    pub fn label(self) -> &'static str {
        match self {
            Route::NativePerCall => "a. native core, one call per record",
            Route::NativeLines1000 => "a. native core, NDJSON of 1000",
            Route::ComponentPerCall => "b. component, one call per record",
            Route::ComponentLines100 => "c. component, NDJSON of 100",
            Route::ComponentLines1000 => "c. component, NDJSON of 1000",
            Route::ComponentList1000 => "c. component, list of 1000",
            Route::UnbudgetedPerCall => "b. no time budget, one call per record",
            Route::UnbudgetedLines1000 => "c. no time budget, NDJSON of 1000",
            Route::Floor => "d. floor: serde_json Value round trip",
        }
    }
}

/// One throughput figure.
#[derive(Debug, Clone)]
pub struct Throughput {
    /// What was measured.
    pub path: Route,
    /// With which profile (the floor has none).
    pub profile: Option<Profile>,
    /// Events per second.
    pub events_per_second: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub megabytes_per_second: f64,
}

/// The figures of one input.
#[derive(Debug, Clone)]
pub struct Figures(pub Vec<Throughput>);

impl Figures {
    /// The events per second of `path` with `profile` (`None` for the floor); 0 when it was
    /// not measured.
    pub fn rate(&self, path: Route, profile: Option<Profile>) -> f64 {
        self.0
            .iter()
            .find(|row| row.path == path && row.profile == profile)
            .map_or(0.0, |row| row.events_per_second)
    }
}

/// One pass over the records by one path.
pub(super) type Pass<'a> = Box<dyn FnMut() -> Result<(), Error> + 'a>;

/// A path to measure, with its pass.
pub(super) struct Measured<'a> {
    pub(super) path: Route,
    pub(super) profile: Option<Profile>,
    pub(super) pass: Pass<'a>,
}

/// Measures several paths on the same records in interleaved rounds (every path runs once
/// per round, for at least `MIN_TIME / ROUNDS`), and gives each path its median round. On a
/// shared machine whose speed drifts, the paths then see the same conditions, so their
/// ratios hold better than with one long measurement after another.
pub(super) fn measure_interleaved(
    records: &[String],
    paths: &mut [Measured<'_>],
) -> Result<Figures, Error> {
    let bytes: usize = records.iter().map(String::len).sum();
    let round_time = MIN_TIME / ROUNDS as u32;
    let mut rounds: Vec<Vec<f64>> = vec![Vec::with_capacity(ROUNDS); paths.len()];
    for measured in paths.iter_mut() {
        (measured.pass)()?; // warm up
    }
    for _ in 0..ROUNDS {
        for (measured, rates) in paths.iter_mut().zip(&mut rounds) {
            let start = Instant::now();
            let mut passes = 0u64;
            while start.elapsed() < round_time {
                (measured.pass)()?;
                passes += 1;
            }
            rates.push(passes as f64 / start.elapsed().as_secs_f64());
        }
    }
    Ok(Figures(
        paths
            .iter()
            .zip(rounds)
            .map(|(measured, mut rates)| {
                rates.sort_by(f64::total_cmp);
                let passes_per_second = rates[rates.len() / 2];
                Throughput {
                    path: measured.path,
                    profile: measured.profile,
                    events_per_second: passes_per_second * records.len() as f64,
                    megabytes_per_second: passes_per_second * bytes as f64 / 1e6,
                }
            })
            .collect(),
    ))
}

fn options(profile: Profile) -> Options {
    Options {
        profile,
        ..Options::default()
    }
}

/// Throughput of every path on one input with the baseline profile, of the native core and
/// the component one call per record with each other profile, and of the component without
/// the time budget one call per record with `ecs` too. Each component path has its
/// own instance; `unbudgeted` is a runtime loaded with [`TimeBudget::Off`].
pub fn throughput(
    runtime: &Runtime,
    unbudgeted: &Runtime,
    input: &Input,
) -> Result<Figures, Error> {
    let records = repeat(&input.records, 1000);
    let (lines_100, lines_1000) = (line_batches(&records, 100), line_batches(&records, 1000));
    let baseline = Some(Profile::Baseline);
    let natives = Profile::ALL.map(|profile| Transformer::new(options(profile)));
    let mut listed = Session::new(runtime, &options(Profile::Baseline))?;
    let mut buffer = String::new();
    let native = &natives[0];
    let mut paths: Vec<Measured<'_>> = Vec::new();
    for (transformer, profile) in natives.iter().zip(Profile::ALL) {
        let records = &records;
        paths.push(Measured {
            path: Route::NativePerCall,
            profile: Some(profile),
            pass: Box::new(move || {
                for record in records {
                    std::hint::black_box(
                        transformer
                            .transform(record)
                            .map_err(|e| Error::new(e.to_string()))?,
                    );
                }
                Ok(())
            }),
        });
        paths.push(Measured {
            path: Route::ComponentPerCall,
            profile: Some(profile),
            pass: per_call(Session::new(runtime, &options(profile))?, records),
        });
    }
    paths.extend([
        Measured {
            path: Route::NativeLines1000,
            profile: baseline,
            pass: Box::new(|| {
                for text in &lines_1000 {
                    buffer.clear();
                    std::hint::black_box(native.transform_lines(text, &mut buffer));
                }
                Ok(())
            }),
        },
        Measured {
            path: Route::ComponentLines100,
            profile: baseline,
            pass: by_lines(
                Session::new(runtime, &options(Profile::Baseline))?,
                &lines_100,
            ),
        },
        Measured {
            path: Route::ComponentLines1000,
            profile: baseline,
            pass: by_lines(
                Session::new(runtime, &options(Profile::Baseline))?,
                &lines_1000,
            ),
        },
        Measured {
            path: Route::ComponentList1000,
            profile: baseline,
            pass: Box::new(|| {
                for chunk in records.chunks(1000) {
                    std::hint::black_box(listed.transform_batch(chunk)?);
                }
                Ok(())
            }),
        },
        Measured {
            path: Route::UnbudgetedPerCall,
            profile: baseline,
            pass: per_call(
                Session::new(unbudgeted, &options(Profile::Baseline))?,
                &records,
            ),
        },
        Measured {
            path: Route::UnbudgetedPerCall,
            profile: Some(Profile::Ecs),
            pass: per_call(Session::new(unbudgeted, &options(Profile::Ecs))?, &records),
        },
        Measured {
            path: Route::UnbudgetedLines1000,
            profile: baseline,
            pass: by_lines(
                Session::new(unbudgeted, &options(Profile::Baseline))?,
                &lines_1000,
            ),
        },
        Measured {
            path: Route::Floor,
            profile: None,
            pass: Box::new(|| {
                for record in &records {
                    let value: serde_json::Value =
                        serde_json::from_str(record).map_err(|e| Error::new(e.to_string()))?;
                    std::hint::black_box(value.to_string());
                }
                Ok(())
            }),
        },
    ]);
    measure_interleaved(&records, &mut paths)
}

/// The component, one call per record.
pub(super) fn per_call<'a>(mut session: Session<'a>, records: &'a [String]) -> Pass<'a> {
    Box::new(move || {
        for record in records {
            std::hint::black_box(session.transform(record)?);
        }
        Ok(())
    })
}

/// The component, one `transform-lines` call per NDJSON text.
fn by_lines<'a>(mut session: Session<'a>, texts: &'a [String]) -> Pass<'a> {
    Box::new(move || {
        for text in texts {
            std::hint::black_box(session.transform_lines(text, TextEnd::Final)?);
        }
        Ok(())
    })
}
