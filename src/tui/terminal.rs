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
    pub fn enter(mouse: bool) -> std::io::Result<TerminalGuard> {
        MOUSE.store(mouse, std::sync::atomic::Ordering::Relaxed);
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

/// Whether mouse capture is wanted (`mouse = false` or `--no-mouse` leave the terminal's own
/// selection working).
static MOUSE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Enables the console's modes (again, after a stop): raw mode, the alternate screen,
/// bracketed paste and, unless turned off, mouse capture.
pub fn reenter() -> std::io::Result<()> {
    enable_raw_mode()?;
    execute!(
        stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste,
        cursor::Hide
    )?;
    if MOUSE.load(std::sync::atomic::Ordering::Relaxed) {
        execute!(stdout(), EnableMouseCapture)?;
    }
    Ok(())
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// The terminal multiplexer between the console and the terminal, if any.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Multiplexer {
    /// Straight to the terminal.
    None,
    /// tmux (`$TMUX` set).
    Tmux,
    /// GNU screen (`$STY` set).
    Screen,
}

impl Multiplexer {
    /// The one this process runs under, from the environment.
    pub fn from_env() -> Multiplexer {
        let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty());
        if set("TMUX") {
            Multiplexer::Tmux
        } else if set("STY") {
            Multiplexer::Screen
        } else {
            Multiplexer::None
        }
    }
}

/// The bytes that put `text` on the terminal's clipboard with OSC 52 (terminals honour it over
/// SSH). Under tmux or screen the sequence is wrapped in their DCS passthrough, so it reaches
/// the outer terminal even with tmux's default `set-clipboard external`; tmux wants every ESC
/// inside doubled.
pub fn osc52(text: &str, via: Multiplexer) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(text);
    let sequence = format!("\x1b]52;c;{encoded}\x07");
    match via {
        Multiplexer::None => sequence,
        Multiplexer::Tmux => format!("\x1bPtmux;{}\x1b\\", sequence.replace('\x1b', "\x1b\x1b")),
        Multiplexer::Screen => format!("\x1bP{sequence}\x1b\\"),
    }
}

/// Writes `text` to the terminal's clipboard (see [`osc52`]).
pub fn copy_osc52(text: &str) {
    let mut out = stdout();
    let _ = out.write_all(osc52(text, Multiplexer::from_env()).as_bytes());
    let _ = out.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn osc52_is_plain_or_wrapped_for_the_multiplexer() {
        // "id" in base64 is "aWQ=".
        assert_eq!(osc52("id", Multiplexer::None), "\x1b]52;c;aWQ=\x07");
        assert_eq!(
            osc52("id", Multiplexer::Tmux),
            "\x1bPtmux;\x1b\x1b]52;c;aWQ=\x07\x1b\\"
        );
        assert_eq!(
            osc52("id", Multiplexer::Screen),
            "\x1bP\x1b]52;c;aWQ=\x07\x1b\\"
        );
    }
}
