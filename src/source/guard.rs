//! Survives files that shrink while mapped. Touching a page of a mapping past the end of
//! its (now truncated) file raises SIGBUS, which would kill the process with no word.
//! Files still being written are read with read() instead (see `probe`), and for the rest
//! every live mapping is registered here: a SIGBUS handler finds the mapping the fault
//! was in, names its file on stderr and exits with status 2.
//!
//! The handler may only use async-signal-safe calls, so the registry is a fixed array of
//! atomics and the message is written with `write(2)`.

use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::Once;

const SLOTS: usize = 4096;

struct Slot {
    start: AtomicUsize,
    len: AtomicUsize,
    name: AtomicPtr<u8>,
    name_len: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: Slot = Slot {
    start: AtomicUsize::new(0),
    len: AtomicUsize::new(0),
    name: AtomicPtr::new(std::ptr::null_mut()),
    name_len: AtomicUsize::new(0),
};
static REGISTRY: [Slot; SLOTS] = [EMPTY; SLOTS];
static INSTALL: Once = Once::new();

/// A registered mapping; unregisters on drop. Holds the file name the handler prints.
pub struct Registration {
    slot: usize,
    _name: Box<[u8]>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        let slot = &REGISTRY[self.slot];
        slot.name.store(std::ptr::null_mut(), Ordering::SeqCst);
        slot.len.store(0, Ordering::SeqCst);
        slot.start.store(0, Ordering::SeqCst);
    }
}

/// Registers `[start, start+len)` as a mapping of `name`. `None` when every slot is in
/// use: the caller then reads the file instead of mapping it.
pub fn register(start: *const u8, len: usize, name: &str) -> Option<Registration> {
    INSTALL.call_once(install_handler);
    let mut name: Box<[u8]> = format!("postmortem: error: {name}: the file shrank while it was being read; rerun with --no-mmap\n")
        .into_bytes()
        .into();
    for (index, slot) in REGISTRY.iter().enumerate() {
        if slot
            .start
            .compare_exchange(0, start as usize, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            slot.name_len.store(name.len(), Ordering::SeqCst);
            slot.name.store(name.as_mut_ptr(), Ordering::SeqCst);
            slot.len.store(len, Ordering::SeqCst);
            return Some(Registration { slot: index, _name: name });
        }
    }
    None
}

extern "C" fn on_sigbus(_signal: libc::c_int, info: *mut libc::siginfo_t, _context: *mut libc::c_void) {
    // SAFETY: the kernel passes a valid siginfo_t to an SA_SIGINFO handler.
    let address = unsafe { (*info).si_addr() } as usize;
    let generic: &[u8] = b"postmortem: error: an input file shrank while it was being read; rerun with --no-mmap\n";
    let mut message = (generic.as_ptr(), generic.len());
    for slot in REGISTRY.iter() {
        let start = slot.start.load(Ordering::SeqCst);
        let len = slot.len.load(Ordering::SeqCst);
        let name = slot.name.load(Ordering::SeqCst);
        if start != 0 && !name.is_null() && address >= start && address < start + len {
            message = (name as *const u8, slot.name_len.load(Ordering::SeqCst));
            break;
        }
    }
    // SAFETY: write(2) and _exit(2) are async-signal-safe; the buffer outlives the call.
    unsafe {
        libc::write(2, message.0.cast(), message.1);
        libc::_exit(2);
    }
}

fn install_handler() {
    // SAFETY: a zeroed sigaction is a valid starting point; we set the handler and flags
    // and install it for SIGBUS only.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}
