//! The terminal console: setup and restore, the event loop, and one module per screen.
//!
//! Data flows one way: a terminal event goes through the keymap to an `Action`, `App::apply`
//! changes state, and the view draws that state. Slow work (JWKS fetches) runs on a worker
//! thread and comes back as an event. Redraws happen on events and on ticks that changed
//! something (a turning spinner, a faded message, another session's change).

mod app;
mod auth_policies;
mod detail;
mod editing;
mod entity;
mod form;
mod identities;
mod input;
pub mod keymap;
mod signers;
pub mod strings;
mod table;
pub mod terminal;
pub mod theme;
mod verify_pane;
mod view;

pub use app::{App, AppOptions, Effect, Entity, Message, Tab};
pub use view::{MIN_HEIGHT, MIN_WIDTH};

use std::sync::mpsc;

use anyhow::Result;
use crossterm::event::Event;
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use signal_hook::consts::{SIGCONT, SIGHUP, SIGINT, SIGTERM, SIGTSTP};

use crate::store::Store;

/// A rectangle of at most `width` x `height` centred in `area` (never larger than it).
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

enum LoopEvent {
    Terminal(Event),
    InputClosed,
    Signal(i32),
    Fetched(String),
}

/// Runs the console until the user quits or a signal arrives; the terminal is restored on
/// every way out.
pub fn run(store: Store, options: AppOptions) -> Result<()> {
    let mouse = options.mouse;
    let mut app = App::new(store, options)?;
    let (tx, rx) = mpsc::channel::<LoopEvent>();

    let mut signals =
        signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGTSTP, SIGCONT])?;
    let signal_handle = signals.handle();
    let signal_tx = tx.clone();
    std::thread::spawn(move || {
        for signal in signals.forever() {
            if signal_tx.send(LoopEvent::Signal(signal)).is_err() {
                break;
            }
        }
    });

    let guard = terminal::TerminalGuard::enter(mouse)?;
    // Cleared with a plain escape sequence: ratatui's `clear` asks the terminal for the cursor
    // position, which some terminals (and SSH clients) never answer.
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    let mut term = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let input_tx = tx.clone();
    std::thread::spawn(move || {
        loop {
            match crossterm::event::read() {
                Ok(event) => {
                    if input_tx.send(LoopEvent::Terminal(event)).is_err() {
                        break;
                    }
                }
                // The terminal went away (hang-up): end the console.
                Err(_) => {
                    let _ = input_tx.send(LoopEvent::InputClosed);
                    break;
                }
            }
        }
    });

    draw(&mut term, &mut app)?;
    let mut exit_signal = None;
    if app.exits_after_first_frame() {
        drop(term);
        drop(guard);
        return Ok(());
    }
    let mut last_tick = std::time::Instant::now();
    'outer: loop {
        // Wait for an event, but wake at the tick: the spinner turns, messages fade, another
        // session's change to the database shows up.
        let interval = app.tick_interval();
        let wait = interval.saturating_sub(last_tick.elapsed());
        let first = match rx.recv_timeout(wait) {
            Ok(event) => Some(event),
            Err(mpsc::RecvTimeoutError::Timeout) => None,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        // Coalesce whatever else is queued into one redraw.
        let mut batch: Vec<LoopEvent> = first.into_iter().collect();
        while let Ok(more) = rx.try_recv() {
            batch.push(more);
        }
        let mut redraw = !batch.is_empty();
        if last_tick.elapsed() >= interval {
            last_tick = std::time::Instant::now();
            redraw |= app.tick();
            run_effects(&mut app, &tx);
        }
        for event in batch {
            match event {
                LoopEvent::Terminal(event) => app.handle_event(event),
                LoopEvent::Fetched(url) => app.fetch_finished(&url),
                LoopEvent::InputClosed => break 'outer,
                LoopEvent::Signal(SIGTSTP) => {
                    // Give the shell its terminal back before stopping; take it again and
                    // redraw everything when continued.
                    terminal::restore();
                    // SIGSTOP rather than the default action of SIGTSTP, which the kernel
                    // ignores for an orphaned process group (a console started by a script).
                    let _ = nix::sys::signal::raise(nix::sys::signal::Signal::SIGSTOP);
                    terminal::reenter()?;
                    redraw_everything(&mut term)?;
                }
                LoopEvent::Signal(SIGCONT) => {
                    // Continued without our own stop (kill -STOP elsewhere): redraw anyway.
                    terminal::reenter()?;
                    redraw_everything(&mut term)?;
                }
                LoopEvent::Signal(signal) => {
                    exit_signal = Some(signal);
                    break 'outer;
                }
            }
            run_effects(&mut app, &tx);
            if app.should_quit() {
                break 'outer;
            }
        }
        if redraw {
            draw(&mut term, &mut app)?;
        }
    }
    signal_handle.close();
    drop(term);
    drop(guard);
    if let Some(signal) = exit_signal {
        // Conventional exit status for death by signal, after the terminal is restored.
        std::process::exit(128 + signal);
    }
    Ok(())
}

/// Carries out what the app asked for outside its state: clipboard writes, JWKS fetches on a
/// worker thread (the outcome lands in the shared cache; the event triggers a rerun).
fn run_effects(app: &mut App, tx: &mpsc::Sender<LoopEvent>) {
    for effect in app.take_effects() {
        match effect {
            Effect::Copy(text) => terminal::copy_osc52(&text),
            Effect::Fetch(url) => {
                let cache = app.key_cache();
                let done = tx.clone();
                std::thread::spawn(move || {
                    let _ = cache.fetch(&url);
                    let _ = done.send(LoopEvent::Fetched(url));
                });
            }
        }
    }
}

/// Clears the screen and makes the next draw write every cell. (ratatui's `clear` asks the
/// terminal for the cursor position, which some terminals and SSH clients never answer.)
fn redraw_everything(term: &mut Terminal<CrosstermBackend<std::io::Stdout>>) -> Result<()> {
    crossterm::execute!(
        std::io::stdout(),
        crossterm::terminal::Clear(crossterm::terminal::ClearType::All)
    )?;
    // Both buffers end up blank, so the next diff is against nothing.
    term.swap_buffers();
    Ok(())
}

fn draw(term: &mut Terminal<CrosstermBackend<std::io::Stdout>>, app: &mut App) -> Result<()> {
    use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
    let _ = crossterm::execute!(std::io::stdout(), BeginSynchronizedUpdate);
    let result = term.draw(|frame| app.render(frame));
    let _ = crossterm::execute!(std::io::stdout(), EndSynchronizedUpdate);
    result?;
    Ok(())
}
