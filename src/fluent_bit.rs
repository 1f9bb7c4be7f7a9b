//! Fluent Bit's `wasm` filter ABI (`wasm32-wasip1`): one exported C function per profile (from
//! the profile registry) over the same core as the component.
//!
//! Fluent Bit copies the tag and the record (JSON text, with `Event_Format json`) into the
//! module, calls the function, copies the NUL-terminated JSON it returns with `strdup`, and
//! never frees it inside the module; a trap, a NULL or an empty string drops the record. So:
//! the result lives in one reused buffer (linear memory stays flat), every input gives a JSON
//! object back, and nothing here panics on input.
//!
//! A filter replaces a record with at most one record, so (docs/hosts.md, "Fluent Bit"): a
//! record that yields exactly one document comes back as that document (a record that fails
//! comes back with `error.*`); one that yields several (an `EventList`, a many-event
//! envelope) or none comes back as `{"documents": [<document>, ...]}`, which the Lua filter
//! `examples/fluent-bit/split-documents.lua` turns into one record per document.

use std::borrow::Cow;
use std::cell::RefCell;
use std::ffi::c_char;

use crate::profile::profile_registry;
use crate::{Options, Profile, Transformer, error_document};

thread_local! {
    static TRANSFORMERS: Vec<Transformer> = Profile::ALL
        .map(|profile| Transformer::new(Options { profile, ..Options::default() }))
        .into();
    /// What the filter returns: a NUL-terminated JSON object, written in place (the one
    /// document of a record, as the core writes it).
    static OUTPUT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Exports one filter function per profile, named as the registry says, with the signature
/// Fluent Bit's `wasm` filter calls.
macro_rules! export_filters {
    ($( $variant:ident $name:literal $export:ident [$($group:expr),+] ($start:expr) $description:literal; )+) => {
        $(
            #[doc = concat!("The filter for the `", $name, "` profile (`Function_Name ", stringify!($export), "`): ", $description)]
            #[unsafe(no_mangle)]
            pub extern "C" fn $export(
                tag: *const c_char,
                tag_len: i32,
                sec: u32,
                nsec: u32,
                record: *const c_char,
                record_len: i32,
            ) -> *const c_char {
                // The tag and the event time are Fluent Bit's; the document comes from the record.
                let _ = (tag, tag_len, sec, nsec);
                filter(Profile::$variant, record, record_len)
            }
        )+
    };
}

profile_registry!(export_filters);

unsafe extern "C" {
    /// The module's static constructors, a function the linker (wasm-ld) synthesises.
    fn __wasm_call_ctors();
}

/// Makes the module a WASI *reactor*: the runtime calls `_initialize` once after instantiating
/// it, then the filter functions. WAMR (Fluent Bit's runtime) prints a warning on standard
/// output, among the documents of an `stdout` output, for a WASI module that exports neither
/// `_start` nor `_initialize`; Rust's `cdylib` for `wasm32-wasip1` exports neither, so this
/// one does what wasi-libc's reactor start file (`crt1-reactor.o`) does.
#[unsafe(no_mangle)]
pub extern "C" fn _initialize() {
    // SAFETY: called once by the runtime, before any filter function, as WASI specifies.
    unsafe { __wasm_call_ctors() }
}

fn filter(profile: Profile, record: *const c_char, record_len: i32) -> *const c_char {
    let bytes: &[u8] = match usize::try_from(record_len) {
        // SAFETY: Fluent Bit passes a pointer to `record_len` bytes it copied into this
        // module's memory for the duration of the call; a null pointer or a negative length
        // reads as an empty record.
        Ok(len) if !record.is_null() && len > 0 => unsafe {
            std::slice::from_raw_parts(record.cast::<u8>(), len)
        },
        _ => &[],
    };
    // Fluent Bit's JSON is UTF-8; invalid bytes, should they come, are replaced.
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Cow::Borrowed(text),
        Err(_) => String::from_utf8_lossy(bytes),
    };
    TRANSFORMERS.with(|transformers| {
        // `Profile::ALL` is in declaration order, so a profile's index is its discriminant.
        let transformer = &transformers[profile as usize];
        OUTPUT.with_borrow_mut(|output| {
            output.clear();
            match transformer.transform_into(&text, output) {
                // One document, written in place: drop its line feed.
                Ok(converted) if converted.lines() == 1 => {
                    output.pop();
                }
                Ok(_) => {
                    let lines = std::mem::take(output);
                    write_documents(output, &lines);
                }
                Err(error) => output.push_str(&error_document(&text, &error)),
            }
            output.push('\0');
            output.as_ptr().cast::<c_char>()
        })
    })
}

/// `{"documents": [...]}` for documents given one per line (none, or several).
fn write_documents(output: &mut String, lines: &str) {
    output.push_str("{\"documents\":[");
    for (index, line) in lines.lines().enumerate() {
        if index > 0 {
            output.push(',');
        }
        output.push_str(line);
    }
    output.push_str("]}");
}
