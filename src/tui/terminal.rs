//! Entering and leaving the console's terminal modes. Everything enabled here is disabled on
//! every exit path: a normal return, an error (the guard's `Drop`), a panic (the hook), and
//! SIGTERM/SIGHUP/SIGINT (the runner turns those into a normal return).

use std::io::{Write, stdout};
use std::sync::Once;

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};

/// Puts the terminal back: raw mode off, mouse capture and bracketed paste off, alternate screen
/// left, cursor shown. Errors are ignored: after a hang-up there is no terminal to restore.
pub fn restore() {
    let _ = disable_raw_mode();
    let mut out = stdout();
    let _ = execute!(
        out,
        DisableMouseCapture,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = out.flush();
}

/// The console's terminal modes, for as long as this lives.
pub struct TerminalGuard;

impl TerminalGuard {
    /// Enables raw mode, the alternate screen, bracketed paste and mouse capture, and installs
    /// a panic hook that restores them before the panic message is printed.
    pub fn enter() -> std::io::Result<TerminalGuard> {
        static HOOK: Once = Once::new();
        HOOK.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                restore();
                previous(info);
            }));
        });
        let guard = TerminalGuard;
        reenter()?;
        Ok(guard)
    }
}

/// Enables the console's modes (again, after a stop): raw mode, the alternate screen,
/// bracketed paste and mouse capture.
pub fn reenter() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableMouseCapture,
        cursor::Hide
    )
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Writes `text` to the terminal's clipboard with OSC 52, which terminals honour over SSH.
pub fn copy_osc52(text: &str) {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let mut out = stdout();
    let _ = write!(out, "\x1b]52;c;{encoded}\x07");
    let _ = out.flush();
}
