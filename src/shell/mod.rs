//! The thin web shell: everything that talks to the browser. Each function here has a native
//! fallback (or is only called from effects and callbacks, which never run during server-side
//! rendering), so the components also render in native tests.

pub mod dom;
pub mod edits;
pub mod format;
pub mod http;
pub mod storage;
