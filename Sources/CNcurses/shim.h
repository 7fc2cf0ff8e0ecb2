// ncursesw for Swift: the wide-character API, and wrappers for what Swift cannot import
// (macros, and C globals that Swift 6 rejects as not concurrency-safe).
#ifndef DNN_CNCURSES_SHIM_H
#define DNN_CNCURSES_SHIM_H
#define NCURSES_WIDECHAR 1
#define _XOPEN_SOURCE_EXTENDED 1
#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <wchar.h>
#include <ncurses.h>

static inline WINDOW *dnn_stdscr(void) { return stdscr; }
static inline int dnn_lines(void) { return LINES; }
static inline int dnn_cols(void) { return COLS; }
static inline int dnn_colors(void) { return COLORS; }
static inline int dnn_color_pairs(void) { return COLOR_PAIRS; }
static inline int dnn_key_code_yes(void) { return KEY_CODE_YES; }

/// Sets the locale from the environment. Returns 1 when its codeset is UTF-8; otherwise sets
/// C.UTF-8 for characters (so that wide-character calls work) and returns 0: the terminal is
/// then assumed not to show UTF-8, and the caller draws ASCII.
static inline int dnn_setup_locale(void) {
  setlocale(LC_ALL, "");
  const char *codeset = nl_langinfo(CODESET);
  if (codeset && strcmp(codeset, "UTF-8") == 0) return 1;
  setlocale(LC_CTYPE, "C.UTF-8");
  return 0;
}

/// Draws one character with a colour pair and attributes at (y, x) of stdscr.
static inline void dnn_put(int y, int x, wchar_t ch, int pair, int bold, int reverse) {
  cchar_t cell;
  wchar_t text[2] = {ch, 0};
  attr_t attrs = A_NORMAL;
  if (bold) attrs |= A_BOLD;
  if (reverse) attrs |= A_REVERSE;
  setcchar(&cell, text, attrs, (short)0, &pair);
  mvwadd_wch(stdscr, y, x, &cell);
}

/// Mouse reports on or off: presses and releases of the left and right buttons, and motion while
/// a button is held (xterm's 1002 mode, which ncurses's mask alone does not ask for).
static inline void dnn_mouse(int on) {
  if (on) {
    mousemask(BUTTON1_PRESSED | BUTTON1_RELEASED | BUTTON3_PRESSED | BUTTON3_RELEASED | REPORT_MOUSE_POSITION, NULL);
    mouseinterval(0);
    fputs("\033[?1002h", stdout);
  } else {
    fputs("\033[?1002l", stdout);
    mousemask(0, NULL);
  }
  fflush(stdout);
}

/// The mouse event ncurses has read (after KEY_MOUSE): 1 with the cell and what happened
/// (0 left press, 1 right press, 2 motion with a button held, 3 release), else 0.
static inline int dnn_mouse_event(int *x, int *y, int *kind) {
  MEVENT event;
  if (getmouse(&event) != OK) return 0;
  *x = event.x;
  *y = event.y;
  if (event.bstate & BUTTON1_PRESSED) *kind = 0;
  else if (event.bstate & BUTTON3_PRESSED) *kind = 1;
  else if (event.bstate & (BUTTON1_RELEASED | BUTTON3_RELEASED)) *kind = 3;
  else if (event.bstate & REPORT_MOUSE_POSITION) *kind = 2;
  else return 0;
  return 1;
}

/// Defines colour pair `pair` (extended pairs beyond 255 where the terminal has them).
static inline int dnn_init_pair(int pair, int fg, int bg) { return init_extended_pair(pair, fg, bg); }
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

/// Starts curses on the process's terminal without exiting on failure (initscr would):
/// returns 0 when the terminal cannot be used (TERM unknown, say).
static inline int dnn_start(void) {
  // The terminal's own size, not COLUMNS/LINES from the environment (a shell can export stale
  // or tiny ones: COLUMNS=5 would make a 120x40 terminal "too small").
  use_tioctl(TRUE);
  SCREEN *screen = newterm(NULL, stdout, stdin);
  if (screen == NULL) return 0;
  set_term(screen);
  // A terminal that cannot move its cursor (TERM=dumb) cannot show a dashboard.
  const char *cup = tigetstr("cup");
  if (cup == NULL || cup == (char *)-1) {
    endwin();
    delscreen(screen);
    return 0;
  }
  return 1;
}

static void dnn_crash_handler(int sig) {
  // Mouse reports off (the drawing pad may have turned them on), then the screen back.
  static const char mouse_off[] = "\033[?1002l\033[?1000l\033[?1006l";
  (void)!write(STDOUT_FILENO, mouse_off, sizeof mouse_off - 1);
  endwin();
  signal(sig, SIG_DFL);
  raise(sig);
}

/// On a crash signal, give the terminal back before the default action (core dump, report).
static inline void dnn_restore_terminal_on_crash(void) {
  signal(SIGSEGV, dnn_crash_handler);
  signal(SIGBUS, dnn_crash_handler);
  signal(SIGILL, dnn_crash_handler);
  signal(SIGTRAP, dnn_crash_handler);
  signal(SIGABRT, dnn_crash_handler);
  signal(SIGFPE, dnn_crash_handler);
}
#endif
