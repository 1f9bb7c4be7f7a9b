//! The Fluent Bit filter module (`wasm32-wasip1`), called through wasmtime exactly as Fluent
//! Bit's `wasm` filter calls it: the tag and the record (JSON text) are copied into the
//! module with its exported `malloc`, the filter function is called, the NUL-terminated
//! result is read and never freed by the caller, and the inputs are freed afterwards.

use k8s_audit_ecs::fixture::load_all;
use k8s_audit_ecs::{Options, Profile, Transformer};
use wasmtime::{Caller, Engine, Instance, Linker, Memory, Module, Store, TypedFunc};

const MODULE: &str = env!("FLUENT_BIT_MODULE_PATH");

/// One module instance, as Fluent Bit keeps it across records.
struct FluentBit {
    store: Store<()>,
    memory: Memory,
    malloc: TypedFunc<i32, i32>,
    free: TypedFunc<i32, ()>,
    filter: TypedFunc<(i32, i32, i32, i32, i32, i32), i32>,
}

impl FluentBit {
    fn new(function: &str) -> FluentBit {
        let engine = Engine::default();
        let module = Module::from_file(&engine, MODULE).expect("the Fluent Bit module loads");
        let mut linker: Linker<()> = Linker::new(&engine);
        // std asks WASI for hash-map keys once (woothee's regexes); any bytes will do.
        linker
            .func_wrap(
                "wasi_snapshot_preview1",
                "random_get",
                |mut caller: Caller<'_, ()>, ptr: i32, len: i32| -> i32 {
                    let memory = caller
                        .get_export("memory")
                        .and_then(|e| e.into_memory())
                        .expect("memory");
                    let bytes: Vec<u8> = (0..len).map(|i| (i * 31 + 7) as u8).collect();
                    memory
                        .write(&mut caller, ptr as usize, &bytes)
                        .map_or(28, |()| 0)
                },
            )
            .unwrap();
        linker.define_unknown_imports_as_traps(&module).unwrap();
        let mut store = Store::new(&engine, ());
        let instance: Instance = linker
            .instantiate(&mut store, &module)
            .expect("instantiates");
        if let Ok(initialize) = instance.get_typed_func::<(), ()>(&mut store, "_initialize") {
            initialize.call(&mut store, ()).unwrap();
        }
        FluentBit {
            memory: instance
                .get_memory(&mut store, "memory")
                .expect("exports its memory"),
            malloc: instance
                .get_typed_func(&mut store, "malloc")
                .expect("exports malloc"),
            free: instance
                .get_typed_func(&mut store, "free")
                .expect("exports free"),
            filter: instance
                .get_typed_func(&mut store, function)
                .expect("exports the filter"),
            store,
        }
    }

    /// Copies `bytes` and a NUL into the module, as WAMR's `module_dup_data` does.
    fn dup(&mut self, bytes: &[u8]) -> i32 {
        let ptr = self
            .malloc
            .call(&mut self.store, bytes.len() as i32 + 1)
            .unwrap();
        assert_ne!(ptr, 0, "malloc failed");
        self.memory
            .write(&mut self.store, ptr as usize, bytes)
            .unwrap();
        self.memory
            .write(&mut self.store, ptr as usize + bytes.len(), &[0])
            .unwrap();
        ptr
    }

    fn call(&mut self, record: &str) -> String {
        let tag = b"kube.audit";
        let tag_ptr = self.dup(tag);
        let record_ptr = self.dup(record.as_bytes());
        let result = self
            .filter
            .call(
                &mut self.store,
                (
                    tag_ptr,
                    tag.len() as i32,
                    1_700_000_000,
                    5,
                    record_ptr,
                    record.len() as i32,
                ),
            )
            .expect("the filter never traps");
        assert_ne!(result, 0, "NULL would drop the record");
        let data = self.memory.data(&self.store);
        let text = &data[result as usize..];
        let end = text.iter().position(|b| *b == 0).expect("NUL-terminated");
        let output = String::from_utf8(text[..end].to_vec()).expect("UTF-8");
        self.free.call(&mut self.store, tag_ptr).unwrap();
        self.free.call(&mut self.store, record_ptr).unwrap();
        assert!(!output.is_empty(), "an empty string would drop the record");
        output
    }

    fn memory_size(&self) -> usize {
        self.memory.data_size(&self.store)
    }
}

fn workspace(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(path)
}

/// What the Lua splitter (`examples/fluent-bit/split-documents.lua`) makes of the filter's
/// record: `{"documents": [...]}` becomes one record per document, anything else stays one.
fn split(output: &str) -> Vec<String> {
    let value: serde_json::Value = serde_json::from_str(output).expect("the filter returns JSON");
    match value.as_object() {
        Some(object)
            if object.len() == 1 && object.get("documents").is_some_and(|d| d.is_array()) =>
        {
            object["documents"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|document| document.to_string())
                .collect()
        }
        _ => vec![output.to_owned()],
    }
}

/// Every profile's export gives its fixtures' documents (several as `{"documents": [...]}`).
#[test]
fn the_filter_gives_the_fixture_documents() {
    for profile in Profile::ALL {
        let mut fluent_bit = FluentBit::new(profile.fluent_bit_function());
        let folder = workspace("fixtures").join(profile.name());
        for fixture in load_all(&[folder]).unwrap() {
            // The module's filters run with the default options.
            if fixture.options(profile)
                != (Options {
                    profile,
                    ..Options::default()
                })
            {
                continue;
            }
            let output = fluent_bit.call(&fixture.input);
            let differences = fixture.check(&split(&output));
            assert!(
                differences.is_empty(),
                "{}: {differences:?}",
                fixture.path.display()
            );
        }
    }
}

#[test]
fn every_record_comes_back_as_a_json_object() {
    let mut fluent_bit = FluentBit::new("k8s_audit_ecs_baseline");
    let event = r#"{"kind":"Event","auditID":"a","verb":"get"}"#;
    let cases = [
        (
            "a log line that is not JSON",
            r#"{"log":"I1123 10:00:00 started"}"#.to_owned(),
            "invalid_json",
        ),
        (
            "an object that is not an event",
            r#"{"level":"info","msg":"started"}"#.to_owned(),
            "not_an_audit_event",
        ),
        ("not JSON", "plain text".to_owned(), "invalid_json"),
        ("empty", String::new(), "invalid_json"),
    ];
    for (name, record, kind) in cases {
        let output: serde_json::Value =
            serde_json::from_str(&fluent_bit.call(&record)).expect(name);
        assert_eq!(output["error"]["type"], kind, "{name}");
    }
    let log_shape = serde_json::json!({ "log": event }).to_string();
    let output: serde_json::Value = serde_json::from_str(&fluent_bit.call(&log_shape)).unwrap();
    assert_eq!(output["log"], event);
    assert_eq!(output["event"]["code"], "a");
}

/// A record that yields several documents comes back as `{"documents": [...]}`, one that
/// yields none as `{"documents": []}`; an item that fails alone is an error document among
/// them.
#[test]
fn several_documents_come_back_as_one_object() {
    let mut fluent_bit = FluentBit::new("k8s_audit_ecs_baseline");
    let native = Transformer::new(Options::default());
    let event = r#"{"kind":"Event","auditID":"a","verb":"get"}"#;
    let list = format!(r#"{{"kind":"EventList","items":[{event},{{"kind":"Pod"}},{event}]}}"#);
    let output = fluent_bit.call(&list);
    let value: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(value["documents"].as_array().map(Vec::len), Some(3));
    let parse = |docs: Vec<String>| -> Vec<serde_json::Value> {
        docs.iter()
            .map(|d| serde_json::from_str(d).unwrap())
            .collect()
    };
    assert_eq!(
        parse(split(&output)),
        parse(native.transform(&list).unwrap())
    );
    assert_eq!(value["documents"][1]["error"]["type"], "not_an_audit_event");
    let empty = fluent_bit.call(r#"{"kind":"EventList","items":[]}"#);
    assert_eq!(empty, r#"{"documents":[]}"#);
}

/// 100,000 records, 100 KB events among them: linear memory stops growing once the largest
/// record has been seen (the result buffer is reused; nothing leaks per record).
#[test]
fn linear_memory_stays_flat_over_100k_records() {
    let mut fluent_bit = FluentBit::new("k8s_audit_ecs_extended");
    let sample = std::fs::read_to_string(workspace("fixtures/sample-audit.log")).unwrap();
    let mut records: Vec<String> = sample.lines().map(str::to_owned).collect();
    let pod = std::fs::read_to_string(workspace("bench/pod-create.json")).unwrap();
    let mut big: serde_json::Value = serde_json::from_str(&pod).unwrap();
    big["requestObject"]["metadata"]["annotations"]["bulk"] =
        serde_json::Value::from("x".repeat(90_000));
    let big = big.to_string();
    assert!(big.len() > 100_000);
    records.push(big.clone());
    records.push(serde_json::json!({ "message": big }).to_string());
    records.push("garbage".into());
    let mut after_warm_up = 0;
    for index in 0..100_000 {
        let record = &records[index % records.len()];
        let output = fluent_bit.call(record);
        assert!(output.starts_with('{'));
        if index == 1_000 {
            after_warm_up = fluent_bit.memory_size();
        }
    }
    assert_eq!(
        fluent_bit.memory_size(),
        after_warm_up,
        "linear memory grew after warm-up"
    );
}
