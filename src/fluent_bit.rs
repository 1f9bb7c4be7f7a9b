//! Fluent Bit's `wasm` filter ABI (`wasm32-wasip1`): one exported C function per profile over
//! the same core as the component.
//!
//! Fluent Bit copies the tag and the record (JSON text, with `Event_Format json`) into the
//! module, calls the function, copies the NUL-terminated JSON it returns with `strdup`, and
//! never frees it inside the module; a trap, a NULL or an empty string drops the record. So:
//! the result lives in one reused buffer (linear memory stays flat), every input gives a JSON
//! object back (a record that fails comes back with `error.*`), and nothing here panics on
//! input.

use std::cell::RefCell;
use std::ffi::c_char;

use crate::{Options, Profile, Transformer, error_document_with};

thread_local! {
    static TRANSFORMERS: [Transformer; 2] = Profile::ALL.map(|profile| Transformer::new(Options { profile, ..Options::default() }));
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Exports one filter function, with the signature Fluent Bit's `wasm` filter calls.
macro_rules! export_filter {
    ($(#[$doc:meta])* $name:ident, $profile:expr) => {
        $(#[$doc])*
        #[unsafe(no_mangle)]
        pub extern "C" fn $name(
            tag: *const c_char,
            tag_len: i32,
            sec: u32,
            nsec: u32,
            record: *const c_char,
            record_len: i32,
        ) -> *const c_char {
            // The tag and the event time are Fluent Bit's; the document comes from the record.
            let _ = (tag, tag_len, sec, nsec);
            filter($profile, record, record_len)
        }
    };
}

export_filter!(
    /// The filter for the `baseline` profile (`Function_Name k8s_audit_ecs_baseline`).
    k8s_audit_ecs_baseline,
    0
);
export_filter!(
    /// The filter for the `extended` profile (`Function_Name k8s_audit_ecs_extended`).
    k8s_audit_ecs_extended,
    1
);

fn filter(profile: usize, record: *const c_char, record_len: i32) -> *const c_char {
    let bytes: &[u8] = match usize::try_from(record_len) {
        // SAFETY: Fluent Bit passes a pointer to `record_len` bytes it copied into this
        // module's memory for the duration of the call; a null pointer or a negative length
        // reads as an empty record.
        Ok(len) if !record.is_null() && len > 0 => unsafe {
            std::slice::from_raw_parts(record.cast::<u8>(), len)
        },
        _ => &[],
    };
    let text = String::from_utf8_lossy(bytes);
    let document = TRANSFORMERS.with(|transformers| {
        let (mut documents, _) = transformers[profile].transform_or_pass_through(&text);
        match documents.len() {
            1 => documents.pop().unwrap_or_default(),
            0 => error_document_with(&text, "empty_event_list", "an EventList without items: there is no event to convert"),
            n => error_document_with(
                &text,
                "event_list_in_filter",
                &format!("an EventList of {n} events: a Fluent Bit filter returns one record per record, so batches are passed through; convert them with host-test or the component"),
            ),
        }
    });
    OUTPUT.with(|output| {
        let mut output = output.borrow_mut();
        output.clear();
        output.extend_from_slice(document.as_bytes());
        output.push(0);
        output.as_ptr().cast::<c_char>()
    })
}
